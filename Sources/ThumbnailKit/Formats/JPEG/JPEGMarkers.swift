/// Walks a JPEG's marker segments up to the start of the entropy-coded data, without decoding.
public enum JPEGMarkers {
    /// One marker segment: its marker byte (0xE1 for APP1...) and where its payload lies in the file.
    public struct Segment: Equatable, Sendable {
        public var marker: UInt8
        public var payload: Range<Int>
    }

    /// The segments from SOI to SOS (exclusive), stopping early at anything malformed. Stray bytes
    /// between segments are skipped, as libjpeg's `next_marker` skips them (with its "extraneous
    /// bytes before marker" warning): the decoder sees the segments after them, so must we, or an
    /// Adobe marker, an orientation or a profile would be missed on a file that renders.
    public static func segments(_ data: [UInt8]) -> [Segment] {
        var result: [Segment] = []
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else { return result }
        var i = 2
        while i + 4 <= data.count {
            guard data[i] == 0xFF else { i += 1; continue }
            let marker = data[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { break }  // start of scan, end of image
            let length = Int(data[i + 2]) << 8 | Int(data[i + 3])
            guard length >= 2, i + 2 + length <= data.count else { break }
            result.append(Segment(marker: marker, payload: (i + 4)..<(i + 2 + length)))
            i += 2 + length
        }
        return result
    }
}
