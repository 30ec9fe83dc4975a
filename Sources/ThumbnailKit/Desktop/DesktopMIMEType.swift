/// The MIME type (shared-mime-info's name) of each format the tool reads: the `Thumb::Mimetype`
/// of cached thumbnails and the `MimeType=` list of the thumbnailer entry.
public enum DesktopMIMEType {
    /// The MIME type of `format`, from the format table.
    public static func of(_ format: ImageFormat) -> String {
        format.mimeType
    }

    /// Every MIME type the tool reads, in `ImageFormat` order.
    public static var all: [String] { ImageFormat.allCases.map(of) }
}
