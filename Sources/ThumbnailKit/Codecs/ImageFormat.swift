/// The image formats read and written, recognised by their first bytes, never by their extension.
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    case jpeg
    case png

    /// The extension `--format` gives an output file.
    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        case .png: return "png"
        }
    }

    /// The format whose signature starts `bytes`, or nil.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        let head = Array(bytes.prefix(8))
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }

    /// The format of the file at `path` by its first bytes; nil when it is neither or unreadable.
    public static func sniff(path: String) -> ImageFormat? {
        guard let head = try? FileIO.readPrefix(path: path, count: 8) else { return nil }
        return sniff(head)
    }
}
