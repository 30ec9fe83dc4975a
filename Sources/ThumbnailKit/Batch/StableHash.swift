/// FNV-1a (64-bit, over 8-byte words): a small, stable hash (the same on every machine and run, unlike Swift's
/// `Hasher`), for shard selection, settings keys and input fingerprints. Not cryptographic: a
/// crafted collision could at worst make an incremental run skip one changed file.
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let prime: UInt64 = 0x0000_0100_0000_01B3
        // Eight bytes a step (little-endian words), then the tail a byte at a time: the FNV-1a
        // recipe over 64-bit words, about eight times faster than byte by byte on whole files.
        let words = bytes.count / 8
        for i in 0..<words {
            h ^= UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            h = h &* prime
        }
        for byte in bytes[(words * 8)...] {
            h ^= UInt64(byte)
            h = h &* prime
        }
        value = h
    }

    public mutating func combine(_ text: String) {
        var copy = text
        copy.withUTF8 { combine(UnsafeRawBufferPointer($0)) }
        // A separator, so ("ab","c") and ("a","bc") differ.
        withUnsafeBytes(of: UInt8(0xFF)) { combine($0) }
    }

    /// The hash as 16 hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func of(_ text: String) -> StableHash {
        var h = StableHash()
        h.combine(text)
        return h
    }
}
