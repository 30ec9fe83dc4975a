/// One component of a progressive frame, holding only what a 1/8-scale decode reads: the DC
/// of every block, and for a component libjpeg-turbo scales with a 2x2 IDCT, the 24 AC
/// coefficients that IDCT reads plus one bit per coefficient saying whether it is nonzero
/// (successive-approximation refinement needs to know that for every coefficient of the band).
struct ProgressiveDCComponent {
    var id: UInt8
    var horizontal: Int
    var vertical: Int
    var quantTable: Int
    /// libjpeg-turbo's DCT size for this component at 1/8 scale: 1 (one pixel a block) or 2.
    var scale = 1
    /// The quantisers (natural order), latched at the component's first scan as libjpeg does.
    var quantisers: [Int32]? = nil
    /// Blocks that hold the component's samples (what a scan of this component alone codes).
    var blocksWide = 0
    var blocksHigh = 0
    /// Blocks stored a row, and rows: padded to whole MCUs, as interleaved scans code them.
    var stride = 0
    var rows = 0
    var dc: [Int16] = []
    /// With `scale` 2: per block, the coefficients at `JPEGReducedIDCT.twoByTwoPositions` 1...24.
    var ac: [Int16] = []
    /// With `scale` 2: per block, bit p set when the coefficient at natural position p is nonzero.
    var nonzero: [UInt64] = []
    /// Per coefficient (zigzag), the bit position its successive approximation has reached
    /// (-1: not seen yet): libjpeg's `coef_bits`.
    var coefficientBits = [Int](repeating: -1, count: 64)

    static let acSlots = 24
    /// For each natural position, its slot in `ac`, or -1 when the 2x2 IDCT does not read it.
    static let slotOfPosition: [Int] = {
        var slots = [Int](repeating: -1, count: 64)
        for (i, position) in JPEGReducedIDCT.twoByTwoPositions.enumerated() where i > 0 { slots[position] = i - 1 }
        return slots
    }()

    /// The component's samples at 1/8 scale (`stride * scale` by `rows * scale`).
    func samples() -> [UInt8]? {
        guard let quantisers else { return nil }
        let q = quantisers.map { Int16(truncatingIfNeeded: $0) }  // libjpeg's ISLOW_MULT_TYPE is a short
        if scale == 1 {
            return dc.map { JPEGReducedIDCT.oneByOne(dc: $0, quantiser: q[0]) }
        }
        let width = stride * 2
        var plane = [UInt8](repeating: 0, count: width * rows * 2)
        let slotQuantisers = JPEGReducedIDCT.twoByTwoPositions.map { q[$0] }
        var coefficients = [Int16](repeating: 0, count: 25)
        var block = [UInt8](repeating: 0, count: 4)
        for row in 0..<rows {
            for column in 0..<stride {
                let b = row * stride + column
                coefficients[0] = dc[b]
                for slot in 0..<Self.acSlots { coefficients[slot + 1] = ac[b * Self.acSlots + slot] }
                JPEGReducedIDCT.twoByTwo(coefficients, quantisers: slotQuantisers, into: &block)
                let o = row * 2 * width + column * 2
                plane[o] = block[0]
                plane[o + 1] = block[1]
                plane[o + width] = block[2]
                plane[o + width + 1] = block[3]
            }
        }
        return plane
    }
}

/// A progressive frame once every scan is in.
struct ProgressiveDCFrame {
    var width: Int
    var height: Int
    var components: [ProgressiveDCComponent]

    var maxHorizontal: Int { components.map(\.horizontal).max()! }
    var maxVertical: Int { components.map(\.vertical).max()! }

    /// The 1/8 image as libjpeg-turbo makes it: each component's reduced IDCT, upsampling by
    /// replication where some is left (at 1/8 scale libjpeg-turbo never uses fancy upsampling,
    /// jdsample.c), then `ycc_rgb_convert` for colour.
    func render() -> PixelBuffer? {
        let outWidth = (width + 7) / 8, outHeight = (height + 7) / 8
        let maxH = maxHorizontal, maxV = maxVertical
        var planes: [[UInt8]] = []
        // Per component: samples a plane row, rows, and the replication factors left to the upsampler.
        var columnMaps: [[Int]] = []
        var rowMaps: [[Int]] = []
        for component in components {
            let h = component.horizontal * component.scale, v = component.vertical * component.scale
            guard maxH % h == 0, maxV % v == 0, let plane = component.samples() else { return nil }
            let planeWidth = component.stride * component.scale, planeHeight = component.rows * component.scale
            planes.append(plane)
            columnMaps.append((0..<outWidth).map { min($0 / (maxH / h), planeWidth - 1) })
            rowMaps.append((0..<outHeight).map { min($0 / (maxV / v), planeHeight - 1) * planeWidth })
        }
        let channels = components.count == 1 ? 1 : 3
        let pixels = [UInt8](unsafeUninitializedCapacity: outWidth * outHeight * channels) { out, count in
            if channels == 1 {
                for y in 0..<outHeight {
                    for x in 0..<outWidth { out[y * outWidth + x] = planes[0][rowMaps[0][y] + columnMaps[0][x]] }
                }
            } else {
                let table = YCbCrToRGBTable.shared
                let base = out.baseAddress!
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        table.convert(y: planes[0][rowMaps[0][y] + columnMaps[0][x]],
                                      cb: planes[1][rowMaps[1][y] + columnMaps[1][x]],
                                      cr: planes[2][rowMaps[2][y] + columnMaps[2][x]],
                                      into: base + (y * outWidth + x) * 3)
                    }
                }
            }
            count = outWidth * outHeight * channels
        }
        return PixelBuffer(width: outWidth, height: outHeight, channels: channels, pixels: pixels)
    }
}
