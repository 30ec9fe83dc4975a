import FoundationEssentials

/// `--manifest FILE`: every source of the run (made now or skipped as up to date) with its
/// thumbnails and their sizes, for static-site generators building `srcset` attributes.
public struct Manifest: Codable, Equatable, Sendable {
    public struct Source: Codable, Equatable, Sendable {
        public var input: String
        public var sourceWidth: Int
        public var sourceHeight: Int
        public var thumbnails: [OutputRecord]

        enum CodingKeys: String, CodingKey {
            case input, thumbnails
            case sourceWidth = "source_width"
            case sourceHeight = "source_height"
        }
    }

    public var sources: [Source] = []

    public init() {}

    public mutating func add(input: String, sourceWidth: Int, sourceHeight: Int, outputs: [OutputRecord]) {
        sources.append(Source(input: input, sourceWidth: sourceWidth, sourceHeight: sourceHeight, thumbnails: outputs))
    }

    /// The manifest as JSON, sources in input order, keys sorted: the same run gives the same bytes.
    public func encoded() -> [UInt8] {
        var copy = self
        copy.sources.sort { $0.input.utf8.lexicographicallyPrecedes($1.input.utf8) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var bytes = Array((try? encoder.encode(copy)) ?? Data())
        bytes.append(0x0A)
        return bytes
    }
}
