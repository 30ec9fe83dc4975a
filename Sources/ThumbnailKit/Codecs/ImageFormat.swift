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

    /// Every extension that names a file of this format (lower case, without the dot). A file so
    /// named whose content is not an image the tool reads fails by name instead of being skipped.
    public var nameExtensions: [String] {
        switch self {
        case .jpeg: return ["jpg", "jpeg", "jpe", "jfif"]
        case .png: return ["png"]
        }
    }

    /// True when `fileName`'s extension says it is an image of a format the tool reads.
    public static func isImageName(_ fileName: String) -> Bool {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return false }
        let ext = fileName[fileName.index(after: dot)...].lowercased()
        return allCases.contains { $0.nameExtensions.contains(ext) }
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
