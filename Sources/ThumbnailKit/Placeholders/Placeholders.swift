/// The placeholders of one source, each nil unless asked for: what a page shows while the
/// thumbnail loads.
public struct Placeholders: Codable, Equatable, Sendable {
    /// ThumbHash bytes in standard base64.
    public var thumbhash: String?
    /// BlurHash string.
    public var blurhash: String?
    /// Average colour as `#rrggbb` (alpha-weighted; transparency ignored).
    public var color: String?
    /// `data:image/png;base64,...`, under `PlaceholderMaker.lqipLimit` bytes.
    public var lqip: String?

    public init(thumbhash: String? = nil, blurhash: String? = nil, color: String? = nil, lqip: String? = nil) {
        self.thumbhash = thumbhash
        self.blurhash = blurhash
        self.color = color
        self.lqip = lqip
    }
}
