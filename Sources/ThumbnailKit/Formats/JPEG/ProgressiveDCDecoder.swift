import CTurboJPEG

/// Decodes a progressive JPEG at 1/8 scale from its DC scans alone, skipping every AC scan.
///
/// At 1/8 scale libjpeg-turbo turns each 8x8 block into one pixel from its DC coefficient
/// (`jpeg_idct_1x1`: DC times the quantiser, divided by 8, plus 128). In a progressive file the
/// DCs sit in a scan or two near the start, so the rest of the file is only walked to find the
/// next marker, and the image needs one 16-bit value per block instead of 64 (TurboJPEG holds
/// every coefficient of the image until the last scan is in).
///
/// A component subsampled both ways (4:2:0 chroma) is scaled by libjpeg-turbo with a 2x2 IDCT
/// instead of upsampled, and that IDCT reads 24 AC coefficients (rows and columns 1, 3, 5, 7), so
/// the AC scans of such a component are decoded too, keeping those 24 coefficients and one bit
/// per other coefficient (chroma AC scans are small). The result is meant to equal TurboJPEG's
/// (libjpeg-turbo 2.1) at 1/8 scale, byte for byte.
///
/// Returns nil for anything it does not handle the way libjpeg-turbo would (not progressive, not
/// Huffman, not 8-bit, not gray or YCbCr, unusual sampling), for anything libjpeg would warn
/// about or refuse (bad codes, bad progression, stray bytes, missing scans, truncation), and
/// when libjpeg-turbo would smooth blocks (coefficients 1...9 of a component left incomplete).
/// The caller then decodes with TurboJPEG, so every such file keeps TurboJPEG's behaviour.
enum ProgressiveDCDecoder {
    /// The 1/8-scale image of `data` (gray: 1 channel; YCbCr: 3 channels, RGB), sized as
    /// TurboJPEG sizes it (`ceil(width / 8)` by `ceil(height / 8)`), or nil (see above).
    static func decode(_ data: [UInt8], header: JPEGHeader) -> PixelBuffer? {
        let gray = header.colorspace == Int32(TJCS_GRAY.rawValue)
        guard gray || header.colorspace == Int32(TJCS_YCbCr.rawValue) else { return nil }
        // TurboJPEG picks the largest scale whose size fits the one asked for: for an image at
        // most 4 pixels both ways, 1/4 (or more) gives the same size as 1/8 and is used instead.
        guard header.width > 4 || header.height > 4 else { return nil }
        let parsed: ProgressiveDCFrame? = data.withUnsafeBufferPointer { bytes in
            var parser = Parser(bytes)
            return parser.run()
        }
        guard let frame = parsed, frame.components.count == (gray ? 1 : 3),
              frame.width == header.width, frame.height == header.height else { return nil }
        return frame.render()
    }
}

/// Walks the file's markers, decodes the DC scans and skips the others.
private struct Parser {
    private let data: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var frame: ProgressiveDCFrame?
    private var dcTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    private var acTables = [JPEGHuffmanTable?](repeating: nil, count: 4)
    /// Quantisation tables in natural order.
    private var quantisers = [[Int32]?](repeating: nil, count: 4)
    private var restartInterval = 0

    init(_ data: UnsafeBufferPointer<UInt8>) { self.data = data }

    private func u16(_ at: Int) -> Int { Int(data[at]) << 8 | Int(data[at + 1]) }

    /// The frame after EOI, or nil (see ProgressiveDCDecoder).
    mutating func run() -> ProgressiveDCFrame? {
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else { return nil }
        position = 2
        while true {
            // A marker must follow: stray bytes would be a libjpeg warning.
            guard position + 1 < data.count, data[position] == 0xFF else { return nil }
            position += 1
            while position < data.count, data[position] == 0xFF { position += 1 }  // fill bytes
            guard position < data.count else { return nil }
            let marker = data[position]
            position += 1
            if marker == 0xD9 { break }  // EOI
            guard marker != 0x00, marker != 0x01, marker != 0xD8, !(0xD0...0xD7).contains(marker),
                  position + 2 <= data.count else { return nil }
            let length = u16(position)
            guard length >= 2, position + length <= data.count else { return nil }
            let payload = (position + 2)..<(position + length)
            position += length
            switch marker {
            case 0xC2: guard frame == nil, readFrame(payload) else { return nil }
            case 0xC4: guard readHuffmanTables(payload) else { return nil }
            case 0xDB: guard readQuantisationTables(payload) else { return nil }
            case 0xDD:
                guard payload.count == 2 else { return nil }
                restartInterval = u16(payload.lowerBound)
            case 0xDA: guard frame != nil, readScan(payload) else { return nil }
            case 0xE0...0xEF, 0xFE: continue  // APPn, COM
            default: return nil  // baseline, lossless, arithmetic, DNL, ... : TurboJPEG's
            }
        }
        guard let frame else { return nil }
        for component in frame.components {
            // No DC at all, or coefficients 1...9 incomplete: libjpeg-turbo would smooth blocks.
            guard component.coefficientBits[0] >= 0, component.coefficientBits[1...9].allSatisfy({ $0 == 0 }) else {
                return nil
            }
        }
        return frame
    }

    private mutating func readFrame(_ payload: Range<Int>) -> Bool {
        guard payload.count >= 6 else { return false }
        let p = payload.lowerBound
        let precision = data[p], height = u16(p + 1), width = u16(p + 3), count = Int(data[p + 5])
        guard precision == 8, height > 0, width > 0, height <= 65500, width <= 65500,
              count == 1 || count == 3, payload.count == 6 + 3 * count else { return false }
        var components: [ProgressiveDCComponent] = []
        for c in 0..<count {
            let q = p + 6 + 3 * c
            let h = Int(data[q + 1] >> 4), v = Int(data[q + 1] & 15), table = Int(data[q + 2])
            guard (1...4).contains(h), (1...4).contains(v), table < 4,
                  !components.contains(where: { $0.id == data[q] }) else { return false }
            components.append(ProgressiveDCComponent(id: data[q], horizontal: h, vertical: v, quantTable: table))
        }
        let maxH = components.map(\.horizontal).max()!, maxV = components.map(\.vertical).max()!
        let mcusWide = (width + 8 * maxH - 1) / (8 * maxH), mcusHigh = (height + 8 * maxV - 1) / (8 * maxV)
        for c in components.indices {
            let h = components[c].horizontal, v = components[c].vertical
            let samplesWide = (width * h + maxH - 1) / maxH, samplesHigh = (height * v + maxV - 1) / maxV
            components[c].blocksWide = (samplesWide + 7) / 8
            components[c].blocksHigh = (samplesHigh + 7) / 8
            components[c].stride = count == 1 ? components[c].blocksWide : mcusWide * h
            components[c].rows = count == 1 ? components[c].blocksHigh : mcusHigh * v
            let blocks = components[c].stride * components[c].rows
            components[c].dc = [Int16](repeating: 0, count: blocks)
            // libjpeg-turbo's DCT size at 1/8 (jdmaster.c): doubled while that spares upsampling.
            var scale = 1
            while scale < 8, maxH % (h * scale * 2) == 0, maxV % (v * scale * 2) == 0 { scale *= 2 }
            guard scale <= 2 else { return false }
            components[c].scale = scale
            if scale == 2 {
                components[c].ac = [Int16](repeating: 0, count: blocks * ProgressiveDCComponent.acSlots)
                components[c].nonzero = [UInt64](repeating: 0, count: blocks)
            }
        }
        frame = ProgressiveDCFrame(width: width, height: height, components: components)
        return true
    }

    private mutating func readHuffmanTables(_ payload: Range<Int>) -> Bool {
        var p = payload.lowerBound
        while p < payload.upperBound {
            guard p + 17 <= payload.upperBound else { return false }
            let kind = data[p] >> 4, index = Int(data[p] & 15)
            guard kind <= 1, index < 4 else { return false }
            let counts = Array(data[(p + 1)..<(p + 17)])
            let total = counts.reduce(0) { $0 + Int($1) }
            guard total <= 256, p + 17 + total <= payload.upperBound else { return false }
            let symbols = Array(data[(p + 17)..<(p + 17 + total)])
            guard let table = JPEGHuffmanTable(counts: counts, symbols: symbols, isDC: kind == 0) else { return false }
            if kind == 0 { dcTables[index] = table } else { acTables[index] = table }
            p += 17 + total
        }
        return true
    }

    private mutating func readQuantisationTables(_ payload: Range<Int>) -> Bool {
        var p = payload.lowerBound
        while p < payload.upperBound {
            let wide = data[p] >> 4, index = Int(data[p] & 15)
            let size = 1 + 64 * (wide == 0 ? 1 : 2)
            guard wide <= 1, index < 4, p + size <= payload.upperBound else { return false }
            var table = [Int32](repeating: 0, count: 64)
            for k in 0..<64 {
                table[JPEGReducedIDCT.naturalOrder[k]] = wide == 0 ? Int32(data[p + 1 + k]) : Int32(u16(p + 1 + 2 * k))
            }
            quantisers[index] = table
            p += size
        }
        return true
    }

    /// Reads a scan header, checks it as libjpeg's `start_pass_phuff_decoder` does, then decodes
    /// (DC) or skips (AC) its entropy-coded data.
    private mutating func readScan(_ payload: Range<Int>) -> Bool {
        let p = payload.lowerBound
        guard payload.count >= 1 else { return false }
        let count = Int(data[p])
        guard (1...4).contains(count), payload.count == 4 + 2 * count, var frame = frame else { return false }
        var members: [Int] = []
        var dcTableIndices: [Int] = []
        var acTableIndex = 0
        for s in 0..<count {
            guard let c = frame.components.firstIndex(where: { $0.id == data[p + 1 + 2 * s] }),
                  !members.contains(c) else { return false }
            members.append(c)
            dcTableIndices.append(Int(data[p + 2 + 2 * s] >> 4))
            acTableIndex = Int(data[p + 2 + 2 * s] & 15)
        }
        let q = p + 1 + 2 * count
        let start = Int(data[q]), end = Int(data[q + 1]), high = Int(data[q + 2] >> 4), low = Int(data[q + 2] & 15)
        let isDC = start == 0
        if isDC {
            guard end == 0 else { return false }
        } else {
            guard start <= end, end < 64, count == 1 else { return false }
        }
        guard high == 0 || low == high - 1, low <= 13 else { return false }
        for c in members {
            // libjpeg latches a component's quantisation table at its first scan.
            if frame.components[c].quantisers == nil {
                guard let table = quantisers[frame.components[c].quantTable] else { return false }
                frame.components[c].quantisers = table
            }
            if !isDC && frame.components[c].coefficientBits[0] < 0 { return false }
            for k in start...end {
                let known = frame.components[c].coefficientBits[k]
                guard high == (known < 0 ? 0 : known) else { return false }  // a bogus progression
                frame.components[c].coefficientBits[k] = low
            }
        }
        if !isDC {
            guard acTableIndex < 4, let table = acTables[acTableIndex] else { return false }
            if frame.components[members[0]].scale == 1 {
                self.frame = frame
                let component = frame.components[members[0]]
                return skipEntropyCodedData(blocks: component.blocksWide * component.blocksHigh)
            }
            // A component scaled by a 2x2 IDCT needs some AC coefficients: decode its AC scans.
            self.frame = nil
            let decoded = decodeAC(&frame.components[members[0]], table: table, start: start, end: end,
                                   low: low, refining: high != 0)
            self.frame = frame
            return decoded
        }
        var tables: [JPEGHuffmanTable] = []
        if high == 0 {
            for index in dcTableIndices {
                guard index < 4, let table = dcTables[index] else { return false }
                tables.append(table)
            }
        }
        // The frame's arrays are moved out while decoding so they are not copied on write.
        self.frame = nil
        let decoded = decodeDC(&frame, members: members, tables: tables, low: low, refining: high != 0)
        self.frame = frame
        return decoded
    }

    /// Moves past an AC scan's entropy-coded data (of `blocks` blocks): to the first marker that is
    /// not a restart. The restart markers are checked on the way (RST0...RST7 in turn, one per
    /// interval): a missing or misnumbered one is damage libjpeg would warn about, so the file is
    /// handed back (false). Damage inside the skipped data itself cannot be seen without decoding it.
    private mutating func skipEntropyCodedData(blocks: Int) -> Bool {
        var i = position
        var restarts = 0
        let n = data.count
        while i + 1 < n {
            guard data[i] == 0xFF else {
                i += 1
                continue
            }
            let next = data[i + 1]
            if next == 0x00 {
                i += 2  // a stuffed 0xFF
            } else if next == 0xFF {
                i += 1  // a fill byte before a marker
            } else if (0xD0...0xD7).contains(next) {
                guard restartInterval > 0, next == 0xD0 + UInt8(restarts & 7) else { return false }
                restarts += 1
                i += 2
            } else {
                break
            }
        }
        position = i
        return restarts == (restartInterval > 0 ? (blocks - 1) / restartInterval : 0)
    }

    /// Moves `reader` past the restart marker that must come next (RST`number`, counting mod 8).
    private func restart(_ reader: inout JPEGBitReader, number: inout Int) -> Bool {
        reader.alignToByte()
        var i = reader.position
        guard i < data.count, data[i] == 0xFF else { return false }
        while i < data.count, data[i] == 0xFF { i += 1 }
        guard i < data.count, data[i] == 0xD0 + UInt8(number) else { return false }
        number = (number + 1) & 7
        reader = JPEGBitReader(data, at: i + 1)
        return true
    }

    /// Decodes one AC scan of one component (spectral selection `start...end`; first pass or
    /// refinement of bit `low`), as libjpeg's `decode_mcu_AC_first` and `decode_mcu_AC_refine`,
    /// keeping only the coefficients the 2x2 IDCT reads and which of the others are nonzero.
    private mutating func decodeAC(_ component: inout ProgressiveDCComponent, table: JPEGHuffmanTable,
                                   start: Int, end: Int, low: Int, refining: Bool) -> Bool {
        let natural = JPEGReducedIDCT.naturalOrder, slotOf = ProgressiveDCComponent.slotOfPosition
        let slots = ProgressiveDCComponent.acSlots
        let plus = 1 << low, minus = -1 << low
        var reader = JPEGBitReader(data, at: position)
        var restartsLeft = restartInterval
        var nextRestart = 0
        var endOfBandRun = 0
        /// Sets a coefficient (first pass or newly nonzero), as a 16-bit JCOEF.
        func set(_ block: Int, _ position: Int, _ value: Int, _ component: inout ProgressiveDCComponent) {
            let coefficient = Int16(truncatingIfNeeded: value)
            if coefficient != 0 {
                component.nonzero[block] |= 1 << UInt64(position)
            } else {
                component.nonzero[block] &= ~(1 << UInt64(position))
            }
            if slotOf[position] >= 0 { component.ac[block * slots + slotOf[position]] = coefficient }
        }
        /// Reads the correction bit of an already-nonzero coefficient and applies it.
        func correct(_ block: Int, _ position: Int, _ reader: inout JPEGBitReader,
                     _ component: inout ProgressiveDCComponent) -> Bool {
            guard let bit = reader.bit() else { return false }
            if bit != 0, slotOf[position] >= 0 {
                let i = block * slots + slotOf[position]
                let value = Int(component.ac[i])
                if value & plus == 0 {
                    component.ac[i] = Int16(truncatingIfNeeded: value + (value >= 0 ? plus : minus))
                }
            }
            return true
        }
        func isNonzero(_ block: Int, _ position: Int, _ component: ProgressiveDCComponent) -> Bool {
            component.nonzero[block] & (1 << UInt64(position)) != 0
        }
        for row in 0..<component.blocksHigh {
            for column in 0..<component.blocksWide {
                if restartInterval > 0 {
                    if restartsLeft == 0 {
                        guard restart(&reader, number: &nextRestart) else { return false }
                        endOfBandRun = 0
                        restartsLeft = restartInterval
                    }
                    restartsLeft -= 1
                }
                let block = row * component.stride + column
                if !refining {
                    if endOfBandRun > 0 {
                        endOfBandRun -= 1
                        continue
                    }
                    var k = start
                    while k <= end {
                        guard let symbol = table.decode(&reader) else { return false }
                        let run = Int(symbol >> 4), size = Int(symbol & 15)
                        if size != 0 {
                            k += run
                            guard k <= end, let raw = reader.bits(size) else { return false }
                            set(block, natural[k], Self.extend(raw, size) << low, &component)
                        } else if run == 15 {
                            k += 15  // sixteen zeros
                        } else {
                            endOfBandRun = 1 << run
                            if run > 0 {
                                guard let extra = reader.bits(run) else { return false }
                                endOfBandRun += Int(extra)
                            }
                            endOfBandRun -= 1
                            break
                        }
                        k += 1
                    }
                    continue
                }
                var k = start
                if endOfBandRun == 0 {
                    while k <= end {
                        guard let symbol = table.decode(&reader) else { return false }
                        var run = Int(symbol >> 4)
                        let size = Int(symbol & 15)
                        var newValue = 0
                        if size != 0 {
                            guard size == 1, let sign = reader.bit() else { return false }  // libjpeg warns on size != 1
                            newValue = sign != 0 ? plus : minus
                        } else if run != 15 {
                            endOfBandRun = 1 << run
                            if run > 0 {
                                guard let extra = reader.bits(run) else { return false }
                                endOfBandRun += Int(extra)
                            }
                            break
                        }
                        // Past already-nonzero coefficients (each with a correction bit) and `run` zeros.
                        repeat {
                            let p = natural[k]
                            if isNonzero(block, p, component) {
                                guard correct(block, p, &reader, &component) else { return false }
                            } else {
                                run -= 1
                                if run < 0 { break }
                            }
                            k += 1
                        } while k <= end
                        if newValue != 0 {
                            guard k <= end else { return false }
                            set(block, natural[k], newValue, &component)
                        }
                        k += 1
                    }
                }
                if endOfBandRun > 0 {
                    while k <= end {
                        if isNonzero(block, natural[k], component) {
                            guard correct(block, natural[k], &reader, &component) else { return false }
                        }
                        k += 1
                    }
                    endOfBandRun -= 1
                }
            }
        }
        reader.alignToByte()
        position = reader.position
        return true
    }

    /// libjpeg's HUFF_EXTEND: `size` raw bits as a signed difference.
    private static func extend(_ raw: UInt32, _ size: Int) -> Int {
        let value = Int(raw)
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value
    }

    /// Decodes one DC scan (first pass: Huffman-coded differences shifted left by `low`;
    /// refinement: one bit per block), with its restart intervals.
    private mutating func decodeDC(_ frame: inout ProgressiveDCFrame, members: [Int], tables: [JPEGHuffmanTable],
                                   low: Int, refining: Bool) -> Bool {
        // The blocks of one MCU, in coding order: (component's place in the scan, column, row).
        let maxH = frame.components.map(\.horizontal).max()!, maxV = frame.components.map(\.vertical).max()!
        let mcusWide: Int, mcusHigh: Int
        var layout: [(member: Int, dx: Int, dy: Int)] = []
        if members.count == 1 {
            // A scan of one component codes its blocks one by one, in raster order.
            mcusWide = frame.components[members[0]].blocksWide
            mcusHigh = frame.components[members[0]].blocksHigh
            layout = [(0, 0, 0)]
        } else {
            mcusWide = (frame.width + 8 * maxH - 1) / (8 * maxH)
            mcusHigh = (frame.height + 8 * maxV - 1) / (8 * maxV)
            for (m, c) in members.enumerated() {
                for dy in 0..<frame.components[c].vertical {
                    for dx in 0..<frame.components[c].horizontal { layout.append((m, dx, dy)) }
                }
            }
            guard layout.count <= 10 else { return false }  // libjpeg's D_MAX_BLOCKS_IN_MCU
        }
        let single = members.count == 1
        var predictions = [Int](repeating: 0, count: members.count)
        var reader = JPEGBitReader(data, at: position)
        var restartsLeft = restartInterval
        var nextRestart = 0
        let bit = Int16(truncatingIfNeeded: 1 << low)
        for my in 0..<mcusHigh {
            for mx in 0..<mcusWide {
                if restartInterval > 0 {
                    if restartsLeft == 0 {
                        guard restart(&reader, number: &nextRestart) else { return false }
                        for m in predictions.indices { predictions[m] = 0 }
                        restartsLeft = restartInterval
                    }
                    restartsLeft -= 1
                }
                for block in layout {
                    let c = members[block.member]
                    let row = single ? my : my * frame.components[c].vertical + block.dy
                    let column = single ? mx : mx * frame.components[c].horizontal + block.dx
                    let index = row * frame.components[c].stride + column
                    if refining {
                        guard let b = reader.bit() else { return false }
                        if b != 0 { frame.components[c].dc[index] |= bit }
                    } else {
                        guard let size = tables[block.member].decode(&reader) else { return false }
                        var difference = 0
                        if size > 0 {
                            guard let raw = reader.bits(Int(size)) else { return false }
                            difference = Self.extend(raw, Int(size))
                        }
                        let value = predictions[block.member] + difference
                        guard value >= Int(Int32.min), value <= Int(Int32.max) else { return false }
                        predictions[block.member] = value
                        frame.components[c].dc[index] = Int16(truncatingIfNeeded: value << low)
                    }
                }
            }
        }
        reader.alignToByte()
        position = reader.position
        return true
    }
}
