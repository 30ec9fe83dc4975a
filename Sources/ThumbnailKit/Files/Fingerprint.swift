/// The fingerprint of a byte stream fed in pieces of any size: `StableHash` over the whole
/// stream, as if hashed in one go. (StableHash takes 8-byte words, so bytes are carried over
/// between pieces until a word is whole.) Lets a decoder fingerprint a file from the very bytes
/// it reads, instead of reading the file a second time.
public struct Fingerprint: Sendable {
    private var hash = StableHash()
    private var carry: (UInt64, Int) = (0, 0)  // up to 7 bytes not yet hashed, little-endian

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        // Complete the carried word first.
        while carry.1 > 0 && carry.1 < 8, let byte = rest.first {
            carry.0 |= UInt64(byte) << UInt64(8 * carry.1)
            carry.1 += 1
            rest = rest.dropFirst()
        }
        if carry.1 == 8 {
            withUnsafeBytes(of: carry.0.littleEndian) { hash.combine($0) }
            carry = (0, 0)
        }
        let whole = rest.count / 8 * 8
        hash.combine(UnsafeRawBufferPointer(rebasing: rest.prefix(whole)))
        for byte in rest.dropFirst(whole) {
            carry.0 |= UInt64(byte) << UInt64(8 * carry.1)
            carry.1 += 1
        }
    }

    /// The fingerprint of everything added, as 16 hex digits.
    public var hex: String {
        var final = hash
        withUnsafeBytes(of: carry.0.littleEndian) { final.combine(UnsafeRawBufferPointer(rebasing: $0.prefix(carry.1))) }
        return final.hex
    }
}
