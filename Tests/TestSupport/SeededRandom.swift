/// A small deterministic pseudo-random generator (SplitMix64): the same sequence on every machine,
/// so a fuzz failure replays.
public struct SeededRandom: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One seeded damage of a file's bytes: a few bits flipped, a byte inserted, deleted or
    /// replaced, or the tail cut.
    public mutating func mutate(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        guard !bytes.isEmpty else { return bytes }
        let at = Int(next() % UInt64(bytes.count))
        switch next() % 5 {
        case 0: for _ in 0...(next() % 8) { let p = Int(next() % UInt64(bytes.count)); bytes[p] ^= 1 << (next() % 8) }
        case 1: bytes.insert(UInt8(next() % 256), at: at)
        case 2: bytes.remove(at: at)
        case 3: bytes[at] = UInt8(next() % 256)
        default: bytes = Array(bytes[..<max(at, 1)])
        }
        return bytes
    }
}
