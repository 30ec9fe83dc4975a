extension EXIFOrientation {
    /// The orientation recorded in the first APP1 segment of `data` that starts with "Exif\0\0"
    /// (other APP1 segments, such as XMP, are skipped); 1 when there is none or it is unusable.
    public static func read(jpeg data: [UInt8]) -> Int {
        for segment in JPEGMarkers.segments(data) where segment.marker == 0xE1 {
            let payload = data[segment.payload]
            if payload.starts(with: exifPrefix) {
                return read(exifPayload: Array(payload.dropFirst(exifPrefix.count)))
            }
        }
        return 1
    }
}
