/// One row of the format table: all the tool knows about a format outside the format's own folder.
public struct FormatEntry {
    /// The format's identity (and its canonical `--format` value).
    public var format: ImageFormat
    /// The name used in messages and help ("JPEG").
    public var name: String
    /// The MIME type of its files.
    public var mimeType: String
    /// Extensions that name a file of this format, lower case, without the dot; the first is the
    /// one thumbnails in this format are written with.
    public var nameExtensions: [String]
    /// Other values `--format` accepts for it ("jpg").
    public var optionAliases: [String]
    /// The decoder.
    public var source: any ImageSource.Type
    /// The encoder; nil when the tool reads this format but does not write it.
    public var encoder: (any ThumbnailEncoder.Type)?

    public init(format: ImageFormat, name: String, mimeType: String, nameExtensions: [String], optionAliases: [String] = [],
                source: any ImageSource.Type, encoder: (any ThumbnailEncoder.Type)?) {
        self.format = format
        self.name = name
        self.mimeType = mimeType
        self.nameExtensions = nameExtensions
        self.optionAliases = optionAliases
        self.source = source
        self.encoder = encoder
    }

    /// The extension of thumbnails written in this format.
    public var fileExtension: String { nameExtensions[0] }

    /// Every value `--format` accepts for this format.
    public var optionNames: [String] { [format.rawValue] + optionAliases }
}
