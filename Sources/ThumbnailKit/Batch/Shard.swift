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
        Self.shardIndex(of: relativePath, count: count) == index - 1
    }

    /// The 0-based shard of `relativePath` among `count`. FNV-1a's low bits barely depend on the
    /// later bytes of a name (`IMG_0001.JPG`, `IMG_0002.JPG`... all landed in one shard), so its
    /// value goes through MurmurHash3's 64-bit finaliser, which lets every input bit reach every
    /// output bit, and the shard comes from the high bits (a multiply-shift, not a remainder).
    public static func shardIndex(of relativePath: String, count: Int) -> Int {
        var h = StableHash.of(relativePath).value
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return Int(((h >> 32) &* UInt64(count)) >> 32)
    }

    public var description: String { "\(index)/\(count)" }
}
