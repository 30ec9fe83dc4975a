/// The MIME type (shared-mime-info's name) of each format the tool reads: the `Thumb::Mimetype`
/// of cached thumbnails and the `MimeType=` list of the thumbnailer entry.
public enum DesktopMIMEType {
    /// The MIME type of `format`. A switch without `default`, so a new format cannot be added
    /// without naming its type here.
    public static func of(_ format: ImageFormat) -> String {
        switch format {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        }
    }

    /// Every MIME type the tool reads, in `ImageFormat` order.
    public static var all: [String] { ImageFormat.allCases.map(of) }
}
