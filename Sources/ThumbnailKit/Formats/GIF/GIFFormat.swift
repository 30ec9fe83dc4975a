extension ImageFormat {
    /// GIF: the first frame read through giflib, composited on its logical screen; not written
    /// (thumbnails of GIFs are JPEG, or PNG when the frame has transparency).
    public static let gif = ImageFormat(known: "gif")
}
