extension ImageFormat {
    /// TIFF: the first page read through libtiff strip by strip or tile row by tile row; not
    /// written (thumbnails of TIFFs are JPEG, or PNG when the page has alpha).
    public static let tiff = ImageFormat(known: "tiff")
}
