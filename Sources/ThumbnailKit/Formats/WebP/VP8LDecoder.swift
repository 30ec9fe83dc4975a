#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Decodes a lossless WebP bitstream (VP8L, RFC 9649) row by row in memory that does not grow
/// with the image's area, where libwebp holds the whole frame as 32-bit ARGB.
///
/// Why this is possible: a backward reference reaches at most 1048456 pixels back (the largest
/// distance code) or 7 rows and 8 pixels (the 2-D codes), so a window of that many decoded pixels
/// (4 MB, less for a smaller image) plus one row serves every copy. Each row, once complete, goes
/// through the inverse transforms (`VP8LTransforms`) and out; the transforms' sub-images, the
/// colour cache and the prefix codes are small. The bitstream is read from the file through a
/// 64 KB buffer (`VP8LBitReader`).
///
/// Every malformed stream throws a `CodecError`: the checks are libwebp's (code validity, colour
/// cache size, repeated transforms, copies before the start or past the end, bits past the end of
/// the chunk), so a file this decodes is one libwebp decodes to the same pixels.
final class VP8LDecoder {
    let width: Int
    let height: Int

    private let reader: VP8LBitReader
    private let transforms: VP8LTransforms
    private let packedWidth: Int
    private let codes: Codes
    private var decoded = false

    /// The prefix codes of one image: five codes per group, and the entropy image choosing a group
    /// per tile (`metaBits` 0: one group everywhere).
    private struct Codes {
        var huffman = VP8LHuffman()
        /// The root offset of each group's green, red, blue, alpha and distance codes.
        var groups: [Int] = []
        var metaBits = 0
        var metaWidth = 0
        /// The group index of each tile.
        var meta: [UInt32] = []
        var cacheBits = 0
    }

    private static let codeToPlane: [UInt8] = [
        0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a,
        0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a, 0x25, 0x2b, 0x48, 0x04,
        0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45,
        0x4b, 0x34, 0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d,
        0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
        0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e,
        0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e,
        0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e,
        0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d,
        0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
    ]
    private static let codeLengthOrder = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    /// Green (with lengths; the cache's codes are added), red, blue, alpha, distance.
    private static let alphabetSizes = [256 + 24, 256, 256, 256, 40]
    /// The longest copy (length code 23 with all its extra bits).
    private static let longestCopy = 4096

    /// Reads the header, the transforms and the main image's codes from `range` of the open file
    /// `fd` (the VP8L chunk's payload). Pixels come with `decodeRows`.
    init(fd: Int32, range: Range<Int>) throws(CodecError) {
        reader = VP8LBitReader(fd: fd, range: range)
        guard range.count >= 5 else { throw .truncated("the VP8L chunk is shorter than its header") }
        guard reader.read(8) == 0x2F else { throw .badHeader("no VP8L signature") }
        width = Int(reader.read(14)) + 1
        height = Int(reader.read(14)) + 1
        _ = reader.read(1)  // alpha_is_used: a hint the container has already read
        guard reader.read(3) == 0 else { throw .unsupported("a VP8L version other than 0") }
        var list: [VP8LTransforms.Transform] = []
        var xsize = width
        var seen = Set<UInt32>()
        while reader.read(1) == 1 {
            let type = reader.read(2)
            guard seen.insert(type).inserted else { throw .corrupt("a VP8L transform given twice") }
            switch type {
            case 0, 1:
                let bits = Int(reader.read(3)) + 2
                let data = try Self.decodeSubImage(reader, width: Self.subsampled(xsize, bits), height: Self.subsampled(height, bits))
                list.append(type == 0 ? .predictor(bits: bits, width: xsize, modes: data)
                                      : .crossColor(bits: bits, width: xsize, multipliers: data))
            case 2:
                list.append(.subtractGreen(width: xsize))
            default:
                let colors = Int(reader.read(8)) + 1
                let bits = colors > 16 ? 0 : colors > 4 ? 1 : colors > 2 ? 2 : 3
                var palette = try Self.decodeSubImage(reader, width: colors, height: 1)
                for i in 1..<colors { palette[i] = VP8LTransforms.add(palette[i], palette[i - 1]) }
                palette += repeatElement(0, count: (1 << (8 >> bits)) - colors)
                list.append(.colorIndexing(bits: bits, width: xsize, palette: palette))
                xsize = Self.subsampled(xsize, bits)
            }
        }
        packedWidth = xsize
        codes = try Self.readCodes(reader, width: xsize, height: height, allowMeta: true)
        try Self.checkEnd(reader)
        transforms = VP8LTransforms(list, width: width, packedWidth: xsize)
    }

    private static func subsampled(_ size: Int, _ bits: Int) -> Int { VP8LTransforms.subsampled(size, bits) }

    /// A read error first (a failed read also leaves the reader past its end), then truncation.
    private static func checkEnd(_ reader: VP8LBitReader,
                                 truncated: String = "the VP8L data ends before the image does") throws(CodecError) {
        if reader.readError != 0 { throw .unreadable(String(cString: strerror(reader.readError))) }
        if reader.isPastEnd { throw .truncated(truncated) }
    }

    /// Decodes every row, top to bottom, handing each to `body` as `width` ARGB pixels (valid
    /// during the call). Call once.
    func decodeRows(_ body: (UnsafePointer<UInt32>) -> Void) throws(CodecError) {
        precondition(!decoded, "decodeRows is called once")
        decoded = true
        let total = packedWidth * height
        let reach = max(1_048_456, 7 * packedWidth + 8)
        let keep = reach + packedWidth
        let capacity = min(total, keep + max(keep / 2, 4 * Self.longestCopy))
        let window = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        defer { window.deallocate() }
        let transforms = self.transforms
        try Self.decodePixels(reader, codes: codes, width: packedWidth, height: height, window: window, capacity: capacity,
                              keep: keep) { row in body(transforms.apply(row)) }
    }

    /// A transform's or the entropy image's pixels: small, decoded whole.
    private static func decodeSubImage(_ reader: VP8LBitReader, width: Int, height: Int) throws(CodecError) -> [UInt32] {
        let codes = try readCodes(reader, width: width, height: height, allowMeta: false)
        var pixels = [UInt32](repeating: 0, count: width * height)
        try pixels.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
            try decodePixels(reader, codes: codes, width: width, height: height, window: buffer.baseAddress!,
                             capacity: buffer.count, keep: buffer.count) { _ in }
        }
        return pixels
    }

    /// The colour cache size, the entropy image (`allowMeta`, the main image only) and every group's codes.
    private static func readCodes(_ reader: VP8LBitReader, width: Int, height: Int, allowMeta: Bool) throws(CodecError) -> Codes {
        var codes = Codes()
        if reader.read(1) == 1 {
            codes.cacheBits = Int(reader.read(4))
            guard (1...11).contains(codes.cacheBits) else { throw .corrupt("a VP8L colour cache of \(codes.cacheBits) bits") }
        }
        var groupCount = 1
        // Stored groups by the index the entropy image gives (-1: never used, read and dropped).
        var mapping: [Int] = [0]
        if allowMeta && reader.read(1) == 1 {
            codes.metaBits = Int(reader.read(3)) + 2
            codes.metaWidth = subsampled(width, codes.metaBits)
            codes.meta = try decodeSubImage(reader, width: codes.metaWidth, height: subsampled(height, codes.metaBits))
            var largest = 0
            for i in codes.meta.indices {
                codes.meta[i] = (codes.meta[i] >> 8) & 0xFFFF
                largest = max(largest, Int(codes.meta[i]))
            }
            groupCount = largest + 1
            // Why: a damaged entropy image may name 65536 groups; only the used ones are kept,
            // so their tables stay as few as the tiles.
            mapping = [Int](repeating: -1, count: groupCount)
            var used = 0
            for i in codes.meta.indices {
                let group = Int(codes.meta[i])
                if mapping[group] < 0 {
                    mapping[group] = used
                    used += 1
                }
                codes.meta[i] = UInt32(mapping[group])
            }
        }
        let storedCount = mapping.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        codes.groups = [Int](repeating: 0, count: storedCount * 5)
        var lengths = [UInt8](repeating: 0, count: 256 + 24 + (1 << 11))
        var discarded = VP8LHuffman()
        for group in 0..<groupCount {
            for code in 0..<5 {
                var alphabet = alphabetSizes[code]
                if code == 0 && codes.cacheBits > 0 { alphabet += 1 << codes.cacheBits }
                try readCodeLengths(reader, alphabet: alphabet, into: &lengths)
                try checkEnd(reader, truncated: "the VP8L data ends inside a prefix code")
                try lengths.withUnsafeBufferPointer { (all) throws(CodecError) in
                    let used = UnsafeBufferPointer(rebasing: all[0..<alphabet])
                    if mapping[group] >= 0 {
                        codes.groups[mapping[group] * 5 + code] = try codes.huffman.add(lengths: used)
                    } else {
                        discarded = VP8LHuffman()
                        _ = try discarded.add(lengths: used)
                    }
                }
            }
        }
        return codes
    }

    /// One prefix code's lengths, simple or normal (RFC 9649 3.7.2.1), into `lengths[0..<alphabet]`.
    private static func readCodeLengths(_ reader: VP8LBitReader, alphabet: Int, into lengths: inout [UInt8]) throws(CodecError) {
        for i in 0..<alphabet { lengths[i] = 0 }
        if reader.read(1) == 1 {
            let symbols = reader.read(1) + 1
            let first = Int(reader.read(reader.read(1) == 0 ? 1 : 8))
            if first < alphabet { lengths[first] = 1 }
            if symbols == 2 {
                let second = Int(reader.read(8))
                if second < alphabet { lengths[second] = 1 }
            }
            return
        }
        var lengthCodeLengths = [UInt8](repeating: 0, count: 19)
        let count = Int(reader.read(4)) + 4
        for i in 0..<count { lengthCodeLengths[codeLengthOrder[i]] = UInt8(reader.read(3)) }
        var lengthCode = VP8LHuffman()
        let root = try lengthCodeLengths.withUnsafeBufferPointer { (buffer) throws(CodecError) in try lengthCode.add(lengths: buffer) }
        var maxSymbol = alphabet
        if reader.read(1) == 1 {
            let bits = 2 + 2 * Int(reader.read(3))
            maxSymbol = 2 + Int(reader.read(bits))
            guard maxSymbol <= alphabet else { throw .corrupt("a VP8L code length count over the alphabet") }
        }
        var symbol = 0
        var previous: UInt8 = 8
        try lengthCode.entries.withUnsafeBufferPointer { (table) throws(CodecError) in
            let codeTable = table.baseAddress! + root
            while symbol < alphabet {
                if maxSymbol == 0 { break }
                maxSymbol -= 1
                try checkEnd(reader, truncated: "the VP8L data ends inside a prefix code")
                let length = reader.readSymbol(codeTable)
                if length < 16 {
                    lengths[symbol] = UInt8(length)
                    symbol += 1
                    if length != 0 { previous = UInt8(length) }
                } else {
                    let extraBits = [2, 3, 7][length - 16]
                    let offset = [3, 3, 11][length - 16]
                    let repeatCount = Int(reader.read(extraBits)) + offset
                    guard symbol + repeatCount <= alphabet else { throw .corrupt("a VP8L code length run past the alphabet") }
                    let value: UInt8 = length == 16 ? previous : 0
                    for _ in 0..<repeatCount {
                        lengths[symbol] = value
                        symbol += 1
                    }
                }
            }
        }
    }

    /// A length or distance prefix symbol and its extra bits as a value (RFC 9649 5.2.2).
    @inline(__always)
    private static func prefixValue(_ symbol: Int, _ reader: VP8LBitReader) -> Int {
        if symbol < 4 { return symbol + 1 }
        let extraBits = (symbol - 2) >> 1
        let offset = (2 + (symbol & 1)) << extraBits
        return offset + Int(reader.read(extraBits)) + 1
    }

    /// Decodes `width` x `height` entropy-coded pixels into `window`, a sliding window of the last
    /// pixels (the whole image when `capacity` holds it), handing each complete row to `rowDone`.
    /// Keeps at least `keep` pixels behind the write position when it slides.
    private static func decodePixels(_ reader: VP8LBitReader, codes: Codes, width: Int, height: Int,
                                     window: UnsafeMutablePointer<UInt32>, capacity: Int, keep: Int,
                                     rowDone: (UnsafePointer<UInt32>) -> Void) throws(CodecError) {
        let total = width * height
        let cacheBits = codes.cacheBits
        let cacheShift = UInt32(32 - cacheBits)
        let cache = UnsafeMutablePointer<UInt32>.allocate(capacity: 1 << max(cacheBits, 1))
        cache.initialize(repeating: 0, count: 1 << max(cacheBits, 1))
        defer { cache.deallocate() }
        let metaBits = codes.metaBits
        let metaMask = metaBits == 0 ? Int.max : (1 << metaBits) - 1
        let metaWidth = codes.metaWidth
        var base = 0  // the image index of window[0]
        var position = 0
        var x = 0
        var y = 0
        var failure: CodecError?
        codes.huffman.entries.withUnsafeBufferPointer { entries in
            codes.groups.withUnsafeBufferPointer { groups in
                codes.meta.withUnsafeBufferPointer { meta in
                    let tables = entries.baseAddress!
                    var green = tables, red = tables, blue = tables, alpha = tables, distance = tables
                    @inline(__always) func selectGroup() {
                        let group = metaBits == 0 ? 0 : Int(meta[(y >> metaBits) * metaWidth + (x >> metaBits)]) * 5
                        green = tables + groups[group]
                        red = tables + groups[group + 1]
                        blue = tables + groups[group + 2]
                        alpha = tables + groups[group + 3]
                        distance = tables + groups[group + 4]
                    }
                    selectGroup()
                    while position < total {
                        if x & metaMask == 0 { selectGroup() }
                        if position - base + longestCopy > capacity && base + capacity < total {
                            // Slide: keep the reach of any copy and the unfinished row.
                            let from = min(position - keep, y * width)
                            (window).update(from: window + (from - base), count: position - from)
                            base = from
                        }
                        let code = reader.readSymbol(green)
                        if code < 256 {
                            let r = UInt32(reader.readSymbol(red))
                            let b = UInt32(reader.readSymbol(blue))
                            let a = UInt32(reader.readSymbol(alpha))
                            let pixel = a << 24 | r << 16 | UInt32(code) << 8 | b
                            window[position - base] = pixel
                            if cacheBits > 0 { cache[Int((0x1E35_A7BD &* pixel) >> cacheShift)] = pixel }
                            position += 1
                            x += 1
                        } else if code < 280 {
                            let length = prefixValue(code - 256, reader)
                            let distanceCode = prefixValue(reader.readSymbol(distance), reader)
                            var back: Int
                            if distanceCode > 120 {
                                back = distanceCode - 120
                            } else {
                                let plane = Int(codeToPlane[distanceCode - 1])
                                back = max((plane >> 4) * width + 8 - (plane & 0xF), 1)
                            }
                            guard back <= position, length <= total - position else {
                                // Past the end (or a failed read), `checkEnd` below names it.
                                if !reader.isPastEnd { failure = .corrupt("a VP8L copy from outside the image") }
                                return
                            }
                            let target = window + (position - base)
                            let source = target - back
                            for i in 0..<length { target[i] = source[i] }
                            if cacheBits > 0 {
                                for i in 0..<length { cache[Int((0x1E35_A7BD &* target[i]) >> cacheShift)] = target[i] }
                            }
                            position += length
                            x += length
                            if x >= width {
                                while x >= width {
                                    x -= width
                                    rowDone(window + (y * width - base))
                                    y += 1
                                }
                                if reader.isPastEnd { break }
                            }
                            // At a tile's first column the loop's top selects the group.
                            if metaBits != 0 && position < total && x & metaMask != 0 { selectGroup() }
                            continue
                        } else {
                            let pixel = cache[code - 280]
                            window[position - base] = pixel
                            cache[Int((0x1E35_A7BD &* pixel) >> cacheShift)] = pixel
                            position += 1
                            x += 1
                        }
                        if x == width {
                            x = 0
                            rowDone(window + (y * width - base))
                            y += 1
                            if reader.isPastEnd || reader.readError != 0 { break }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        try checkEnd(reader)
    }
}
