/// The MIME type (shared-mime-info's name) of each format the tool reads: the `Thumb::Mimetype`
/// of cached thumbnails and the `MimeType=` list of the thumbnailer entry.
public enum DesktopMIMEType {
    /// The MIME type of `format`: shared-mime-info names image formats `image/<name>`, JPEG being
    /// `image/jpeg`. (Where the format table carries each format's MIME type, use that.)
    public static func of(_ format: ImageFormat) -> String {
        switch format.rawValue {
        case "jpeg": return "image/jpeg"
        case "png": return "image/png"
        default: return "image/" + format.rawValue
        }
    }

    /// Every MIME type the tool reads, in `ImageFormat` order.
    public static var all: [String] { ImageFormat.allCases.map(of) }
}
