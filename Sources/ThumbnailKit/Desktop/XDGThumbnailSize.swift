/// The cache folders of the freedesktop.org thumbnail standard and the square box each holds.
public enum XDGThumbnailSize: String, CaseIterable, Sendable {
    case normal
    case large
    case xLarge = "x-large"
    case xxLarge = "xx-large"

    /// The side of the square box thumbnails in this folder fit in: 128, 256, 512 or 1024.
    public var pixels: Int {
        switch self {
        case .normal: return 128
        case .large: return 256
        case .xLarge: return 512
        case .xxLarge: return 1024
        }
    }

    /// The folder below `thumbnails/`, as the standard names it.
    public var folderName: String { rawValue }
}
