/// One kind of placeholder `--placeholder` can ask for.
public enum PlaceholderKind: String, Codable, Sendable, CaseIterable {
    /// Evan Wallace's ThumbHash, base64.
    case thumbhash
    /// Wolt's BlurHash string.
    case blurhash
    /// The average colour, `#rrggbb`.
    case color
    /// A tiny PNG of the picture as a `data:` URI, under 1 KB.
    case lqip
}
