/// The prefix (Huffman) codes of one VP8L image, built into lookup tables: an 8-bit root table per
/// code, with second-level tables for longer codes, all in one array. An entry holds the code's
/// length in its low 8 bits and the symbol (or, for a root entry pointing on, the second-level
/// table's offset from the code's root) above.
///
/// Codes are checked as libwebp checks them (`BuildHuffmanTable`): lengths up to 15, not all zero,
/// and either exactly one used symbol (then read with zero bits) or a complete code.
struct VP8LHuffman {
    static let rootBits = 8
    static let maxLength = 15

    /// Every table built so far.
    private(set) var entries: [UInt32] = []

    /// Appends the tables of the code whose lengths are `lengths` and returns where its root starts.
    mutating func add(lengths: UnsafeBufferPointer<UInt8>) throws(CodecError) -> Int {
        var count = [Int](repeating: 0, count: Self.maxLength + 1)
        for length in lengths {
            guard Int(length) <= Self.maxLength else { throw .corrupt("a VP8L code length over 15") }
            count[Int(length)] += 1
        }
        let used = lengths.count - count[0]
        guard used > 0 else { throw .corrupt("a VP8L prefix code with no symbol") }
        let start = entries.count
        let rootSize = 1 << Self.rootBits
        if used == 1 {
            let symbol = lengths.firstIndex { $0 != 0 }!
            entries.append(contentsOf: repeatElement(UInt32(symbol) << 8, count: rootSize))
            return start
        }
        // Kraft: the code must be exactly complete.
        var open = 1
        for length in 1...Self.maxLength {
            open = open * 2 - count[length]
            guard open >= 0 else { throw .corrupt("an over-subscribed VP8L prefix code") }
        }
        guard open == 0 else { throw .corrupt("an incomplete VP8L prefix code") }
        // Symbols sorted by length, then by value.
        var offset = [Int](repeating: 0, count: Self.maxLength + 2)
        for length in 1...Self.maxLength { offset[length + 1] = offset[length] + count[length] }
        var sorted = [Int](repeating: 0, count: used)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            sorted[offset[Int(length)]] = symbol
            offset[Int(length)] += 1
        }
        entries.append(contentsOf: repeatElement(0, count: rootSize))
        var key = 0  // the next code, bit-reversed
        var index = 0
        // Root table: codes up to `rootBits` long, replicated over the bits they leave free.
        for length in 1...Self.rootBits {
            while count[length] > 0 {
                let entry = UInt32(sorted[index]) << 8 | UInt32(length)
                var slot = key
                while slot < rootSize {
                    entries[start + slot] = entry
                    slot += 1 << length
                }
                index += 1
                count[length] -= 1
                key = Self.nextKey(key, length)
            }
        }
        // Second-level tables for longer codes, one per root slot they share.
        let rootMask = rootSize - 1
        var low = -1
        var tableStart = 0
        var tableBits = 0
        for length in (Self.rootBits + 1)...Self.maxLength {
            while count[length] > 0 {
                if key & rootMask != low {
                    tableBits = Self.tableBits(count, length)
                    tableStart = entries.count - start
                    entries.append(contentsOf: repeatElement(0, count: 1 << tableBits))
                    low = key & rootMask
                    entries[start + low] = UInt32(tableStart) << 8 | UInt32(tableBits + Self.rootBits)
                }
                let entry = UInt32(sorted[index]) << 8 | UInt32(length - Self.rootBits)
                var slot = key >> Self.rootBits
                while slot < 1 << tableBits {
                    entries[start + tableStart + slot] = entry
                    slot += 1 << (length - Self.rootBits)
                }
                index += 1
                count[length] -= 1
                key = Self.nextKey(key, length)
            }
        }
        return start
    }

    /// The bit-reversed increment of a `length`-bit code.
    private static func nextKey(_ key: Int, _ length: Int) -> Int {
        var step = 1 << (length - 1)
        while key & step != 0 { step >>= 1 }
        return step != 0 ? (key & (step - 1)) + step : key
    }

    /// How many bits the second-level table starting with a `length`-bit code needs.
    private static func tableBits(_ count: [Int], _ length: Int) -> Int {
        var length = length
        var left = 1 << (length - rootBits)
        while length < maxLength {
            left -= count[length]
            if left <= 0 { break }
            length += 1
            left <<= 1
        }
        return length - rootBits
    }
}

extension VP8LBitReader {
    /// Reads one symbol of the code whose root is at `table` (the window must hold 15 bits).
    @inline(__always)
    func readSymbol(_ table: UnsafePointer<UInt32>) -> Int {
        if needsFill { fill() }
        let bits = peek
        var entry = table[Int(truncatingIfNeeded: bits & 0xFF)]
        var length = Int(entry & 0xFF)
        if length > VP8LHuffman.rootBits {
            skip(VP8LHuffman.rootBits)
            let extra = length - VP8LHuffman.rootBits
            entry = table[Int(entry >> 8) + Int(truncatingIfNeeded: (bits >> 8) & ((1 << UInt64(extra)) - 1))]
            length = Int(entry & 0xFF)
        }
        skip(length)
        return Int(entry >> 8)
    }
}
