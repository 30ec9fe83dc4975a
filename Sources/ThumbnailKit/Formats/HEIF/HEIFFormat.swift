extension ImageFormat {
    /// HEIC/HEIF (HEVC-coded images): read through libheif, written as JPEG (PNG with alpha).
    public static let heic = ImageFormat(known: "heic")
    /// AVIF (AV1-coded images): read through libheif, written through libavif.
    public static let avif = ImageFormat(known: "avif")
}
