extension ImageFormat {
    /// JPEG (JFIF, EXIF): read through TurboJPEG with DCT shrink-on-load, written through TurboJPEG.
    public static let jpeg = ImageFormat(known: "jpeg")
}
