extension ImageFormat {
    /// PNG: read row by row through libpng with a whole-number box shrink, written through libpng.
    public static let png = ImageFormat(known: "png")
}
