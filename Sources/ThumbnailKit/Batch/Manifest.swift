/// `--manifest FILE`: every source of the run (made now or skipped as up to date) with its
/// thumbnails and their sizes, for static-site generators building `srcset` attributes. Field
/// names are those of the `--json` records (`input`, `output`, `source_width`...), and paths are
/// relative to the manifest's own folder, as a page beside it would write them.
public struct Manifest: Encodable, Sendable {
    /// One thumbnail of a source.
    public struct Output: Encodable, Equatable, Sendable {
        public var output: String
        public var box: String
        public var width: Int
        public var height: Int
        public var bytes: Int
        /// The `--max-bytes` quality chosen, and whether even quality 1 was over (absent otherwise).
        public var quality: Int? = nil
        public var overBudget: Bool? = nil
        /// The format written and its MIME type, for `<picture>`/`<source type=...>`.
        public var format: String? = nil
        public var mimeType: String? = nil

        enum CodingKeys: String, CodingKey {
            case output, box, width, height, bytes, quality, format
            case overBudget = "over_budget"
            case mimeType = "mime_type"
        }
    }

    /// One source and its thumbnails.
    public struct Source: Encodable, Equatable, Sendable {
        public var input: String
        public var sourceWidth: Int
        public var sourceHeight: Int
        public var outputs: [Output]
        /// `--placeholder`'s strings (absent without the option).
        public var thumbhash: String? = nil
        public var blurhash: String? = nil
        public var color: String? = nil
        public var lqip: String? = nil

        enum CodingKeys: String, CodingKey {
            case input, outputs, thumbhash, blurhash, color, lqip
            case sourceWidth = "source_width"
            case sourceHeight = "source_height"
        }
    }

    public private(set) var sources: [Source] = []
    /// The manifest file's folder, absolute: paths are written relative to it.
    private let folder: String

    enum CodingKeys: String, CodingKey { case sources }

    /// A manifest to be written at `path`.
    public init(path: String) {
        folder = OutputNaming.folder(of: FilePaths.absolute(path))
    }

    public mutating func add(input: String, sourceWidth: Int, sourceHeight: Int, outputs: [OutputRecord],
                             placeholders: Placeholders? = nil) {
        let listed = outputs.map {
            Output(output: FilePaths.relative(FilePaths.absolute($0.path), to: folder), box: $0.box, width: $0.width,
                   height: $0.height, bytes: $0.bytes, quality: $0.quality, overBudget: $0.overBudget, format: $0.format,
                   mimeType: $0.format.flatMap(ImageFormat.init(rawValue:))?.mimeType)
        }
        sources.append(Source(input: FilePaths.relative(FilePaths.absolute(input), to: folder), sourceWidth: sourceWidth,
                              sourceHeight: sourceHeight, outputs: listed, thumbhash: placeholders?.thumbhash,
                              blurhash: placeholders?.blurhash, color: placeholders?.color, lqip: placeholders?.lqip))
    }

    /// The manifest as JSON, sources in path order, keys sorted: the same run gives the same bytes.
    public func encoded() -> [UInt8] {
        var copy = self
        copy.sources.sort { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        return JSONText.encode(copy, pretty: true) + [0x0A]
    }
}
