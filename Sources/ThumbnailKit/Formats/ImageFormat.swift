/// An image format the tool reads, named by its canonical `--format` value ("jpeg"). Each value
/// has a row in `FormatTable`; formats are recognised by their first bytes, never by extension.
/// A struct rather than an enum so that a format is added by its folder and its table row alone;
/// the constants (`.jpeg`, `.png`) live in each format's folder.
public struct ImageFormat: RawRepresentable, Hashable, Codable, Sendable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// The format whose canonical name is `rawValue`, or nil when the table has no such row.
    public init?(rawValue: String) {
        guard FormatTable.entries.contains(where: { $0.format.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    /// A format constant; its folder's table row must exist.
    init(known name: String) {
        rawValue = name
    }

    public static var allCases: [ImageFormat] { FormatTable.entries.map(\.format) }

    public var description: String { rawValue }

    /// This format's row in the table.
    public var entry: FormatEntry { FormatTable.entry(self) }

    /// The extension `--format` gives an output file.
    public var fileExtension: String { entry.fileExtension }

    /// Every extension that names a file of this format (lower case, without the dot). A file so
    /// named whose content is not an image the tool reads fails by name instead of being skipped.
    public var nameExtensions: [String] { entry.nameExtensions }

    /// The MIME type of files of this format.
    public var mimeType: String { entry.mimeType }

    /// True when `fileName`'s extension says it is an image of a format the tool reads.
    public static func isImageName(_ fileName: String) -> Bool {
        FormatTable.isImageName(fileName)
    }

    /// The format whose signature starts `bytes`, or nil.
    public static func sniff<C: Collection>(_ bytes: C) -> ImageFormat? where C.Element == UInt8 {
        FormatTable.sniff(Array(bytes.prefix(FormatTable.sniffLength)))?.format
    }

    /// The format of the file at `path` by its first bytes; nil when it is none or unreadable.
    public static func sniff(path: String) -> ImageFormat? {
        guard let head = try? FileIO.readPrefix(path: path, count: FormatTable.sniffLength) else { return nil }
        return sniff(head)
    }
}
