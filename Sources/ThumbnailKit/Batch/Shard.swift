/// `--shard K/N`: one of N disjoint parts of the inputs, chosen by a stable hash of each file's
/// path relative to its input, so a file's shard never depends on which other files exist.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// 1-based index of this shard.
    public var index: Int
    public var count: Int

    /// Parses `K/N` with 1 <= K <= N.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        index = k
        count = n
    }

    /// True when the file at `relativePath` belongs to this shard.
    public func contains(relativePath: String) -> Bool {
        Int(StableHash.of(relativePath).value % UInt64(count)) == index - 1
    }

    public var description: String { "\(index)/\(count)" }
}
