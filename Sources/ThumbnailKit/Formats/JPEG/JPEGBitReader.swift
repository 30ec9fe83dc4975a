/// Reads the bits of one JPEG entropy-coded segment, one byte at a time so that it never reads
/// past what it was asked for: after a scan it stands exactly where the next marker should be.
///
/// Unstuffs 0xFF 0x00. Reaching a marker (or the end of the data) when bits are still wanted is
/// an error here, not libjpeg's zero fill with a warning: the caller then hands the file back to
/// libjpeg-turbo, so damaged files keep libjpeg-turbo's behaviour.
struct JPEGBitReader {
    private let data: UnsafeBufferPointer<UInt8>
    /// Index of the next unread byte.
    private(set) var position: Int
    private var buffer: UInt32 = 0
    private var available = 0

    init(_ data: UnsafeBufferPointer<UInt8>, at position: Int) {
        self.data = data
        self.position = position
    }

    private mutating func fill() -> Bool {
        guard position < data.count else { return false }
        let byte = data[position]
        if byte == 0xFF {
            guard position + 1 < data.count, data[position + 1] == 0x00 else { return false }  // a marker
            position += 2
        } else {
            position += 1
        }
        buffer = buffer << 8 | UInt32(byte)
        available += 8
        return true
    }

    /// One bit, or nil at a marker or the end of the data.
    mutating func bit() -> UInt32? {
        if available == 0, !fill() { return nil }
        available -= 1
        return (buffer >> UInt32(available)) & 1
    }

    /// `count` (1...16) bits, most significant first, or nil at a marker or the end of the data.
    mutating func bits(_ count: Int) -> UInt32? {
        while available < count {
            if !fill() { return nil }
        }
        available -= count
        return (buffer >> UInt32(available)) & ((1 << UInt32(count)) - 1)
    }

    /// Drops the bits left in the current byte (the padding before a marker).
    mutating func alignToByte() {
        available = 0
        buffer = 0
    }
}
