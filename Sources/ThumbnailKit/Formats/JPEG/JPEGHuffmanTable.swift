/// One JPEG Huffman table (a DHT entry), as canonical codes ready to decode bit by bit.
///
/// Built as libjpeg's `jpeg_make_d_derived_tbl` builds it, and refused where that refuses (a
/// table whose codes overflow their length, a DC table with a symbol above 15), so a file this
/// table accepts is a file libjpeg accepts.
struct JPEGHuffmanTable {
    /// The largest code of each length 1...16 (index = length), or -1 when no code has that length.
    private var maxCode = [Int32](repeating: -1, count: 18)
    /// Offset from a code of each length to its symbol's index in `symbols`.
    private var valueOffset = [Int32](repeating: 0, count: 17)
    private var symbols: [UInt8]

    /// `counts[i]` codes of length i + 1 (16 entries), then `symbols` in code order.
    init?(counts: [UInt8], symbols: [UInt8], isDC: Bool) {
        guard counts.count == 16 else { return nil }
        let total = counts.reduce(0) { $0 + Int($1) }
        guard total <= 256, symbols.count == total else { return nil }
        if isDC, symbols.contains(where: { $0 > 15 }) { return nil }
        self.symbols = symbols
        var code: Int32 = 0
        var index: Int32 = 0
        for length in 1...16 {
            let count = Int32(counts[length - 1])
            if count > 0 {
                valueOffset[length] = index - code
                code += count
                index += count
                maxCode[length] = code - 1
            }
            // No code may be all ones: the next code must still fit in `length` bits (libjpeg's
            // JERR_BAD_HUFF_TABLE check).
            guard code < (Int32(1) << length) else { return nil }
            code <<= 1
        }
        maxCode[17] = Int32.max  // sentinel: no code is longer than 16 bits
    }

    /// The next symbol from `reader`, or nil for a code no table entry has (or data run out).
    func decode(_ reader: inout JPEGBitReader) -> UInt8? {
        var code: Int32 = 0
        for length in 1...16 {
            guard let bit = reader.bit() else { return nil }
            code = code << 1 | Int32(bit)
            if code <= maxCode[length] {
                return symbols[Int(code + valueOffset[length])]
            }
        }
        return nil
    }
}
