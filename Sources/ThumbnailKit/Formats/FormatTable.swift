/// The formats the tool reads and writes, one row each. Sniffing, the extensions that name images,
/// MIME types, `--format`'s values and the help text all come from here: adding a format is its
/// folder under Formats/ and one row below.
public enum FormatTable {
    /// Every format, in the order sniffing tries them and help lists them.
    /// Built once: sniffing and naming consult it for every file. (`nonisolated(unsafe)`: a
    /// constant, but its rows hold metatypes Swift does not call Sendable.)
    public nonisolated(unsafe) static let entries: [FormatEntry] = {
        [
            FormatEntry(format: .jpeg, name: "JPEG", mimeType: "image/jpeg", nameExtensions: ["jpg", "jpeg", "jpe", "jfif"],
                        optionAliases: ["jpg"], source: JPEGSource.self, encoder: JPEGEncoder.self),
            FormatEntry(format: .png, name: "PNG", mimeType: "image/png", nameExtensions: ["png"],
                        source: PNGSource.self, encoder: PNGEncoder.self),
            FormatEntry(format: .webp, name: "WebP", mimeType: "image/webp", nameExtensions: ["webp"],
                        source: WebPSource.self, encoder: WebPEncoder.self),
            FormatEntry(format: .gif, name: "GIF", mimeType: "image/gif", nameExtensions: ["gif"],
                        source: GIFSource.self, encoder: nil),
            FormatEntry(format: .tiff, name: "TIFF", mimeType: "image/tiff", nameExtensions: ["tif", "tiff"],
                        source: TIFFSource.self, encoder: nil),
            FormatEntry(format: .heic, name: "HEIC", mimeType: "image/heic", nameExtensions: ["heic", "heif", "hif"],
                        source: HEIFSource.self, encoder: nil),
            FormatEntry(format: .avif, name: "AVIF", mimeType: "image/avif", nameExtensions: ["avif"],
                        source: AVIFSource.self, encoder: AVIFEncoder.self),
        ]
    }()

    /// The row of `format`.
    public static func entry(_ format: ImageFormat) -> FormatEntry {
        guard let entry = entries.first(where: { $0.format == format }) else {
            preconditionFailure("\(format.rawValue) has no row in the format table")
        }
        return entry
    }

    /// The formats the tool writes.
    public static var writable: [FormatEntry] { entries.filter { $0.encoder != nil } }

    /// How many leading bytes sniffing reads: the longest signature any format needs.
    public static let sniffLength: Int = entries.map { $0.source.signatureLength }.max() ?? 0

    /// The format whose signature starts `head`, or nil.
    public static func sniff(_ head: [UInt8]) -> FormatEntry? {
        entries.first { $0.source.matches(head) }
    }

    /// The writable format a `--format` value names (case-insensitive, aliases included), or nil.
    public static func writableFormat(named value: String) -> ImageFormat? {
        let lower = value.lowercased()
        return writable.first { $0.optionNames.contains(lower) }?.format
    }

    /// True when `fileName`'s extension says it is an image of a format the tool reads.
    public static func isImageName(_ fileName: String) -> Bool {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return false }
        let ext = fileName[fileName.index(after: dot)...].lowercased()
        return entries.contains { $0.nameExtensions.contains(ext) }
    }

    /// The formats read, for messages and help: "JPEG, PNG or WebP" (or "... and WebP").
    public static func readableNames(joinedBy conjunction: String = "or") -> String {
        spoken(entries.map(\.name), joinedBy: conjunction)
    }

    /// `--format`'s values, for help and messages: "jpeg or png".
    public static var formatOptionValues: String { spoken(writable.map(\.format.rawValue), joinedBy: "or") }

    /// `--format`'s help text.
    public static var formatOptionHelp: String {
        "Output format (\(formatOptionValues)); sets the extension. Default: the source's."
    }

    /// `["a", "b", "c"]` as "a, b or c".
    static func spoken(_ words: [String], joinedBy conjunction: String) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " \(conjunction) " + words.last!
    }
}
