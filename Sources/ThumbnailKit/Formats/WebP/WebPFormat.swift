extension ImageFormat {
    /// WebP (lossy, lossless, alpha, animated): read through libwebp, which scales while it
    /// decodes; written through libwebp, the ICC profile through libwebpmux.
    public static let webp = ImageFormat(known: "webp")
}
