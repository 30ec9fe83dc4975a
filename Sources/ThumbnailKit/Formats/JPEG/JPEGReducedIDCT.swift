/// libjpeg-turbo 2.1's reduced-size inverse DCTs (jidctred.c) that a 1/8-scale decode uses, in
/// the same integer arithmetic, so that results match TurboJPEG's bit for bit.
enum JPEGReducedIDCT {
    /// Natural (row-major) position of each zigzag index, libjpeg's `jpeg_natural_order`.
    static let naturalOrder: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    /// The natural positions `jpeg_idct_2x2` reads: rows and columns 0, 1, 3, 5 and 7.
    static let twoByTwoPositions: [Int] = [0, 1, 3, 5, 7].flatMap { row in [0, 1, 3, 5, 7].map { row * 8 + $0 } }

    /// libjpeg's post-IDCT range limit (`IDCT_range_limit` indexed with `& RANGE_MASK`):
    /// `x + 128` clamped to 0...255 for x in -512...511, and the table's wrap-around beyond.
    static func rangeLimit(_ value: Int) -> UInt8 {
        let index = value & 1023
        switch index {
        case 0..<128: return UInt8(index + 128)
        case 128..<512: return 255
        case 512..<896: return 0
        default: return UInt8(index - 896)
        }
    }

    /// `jpeg_idct_1x1`: the block's mean, from the DC coefficient and its quantiser.
    static func oneByOne(dc: Int16, quantiser: Int16) -> UInt8 {
        rangeLimit((Int(dc) * Int(quantiser) + 4) >> 3)
    }

    /// `jpeg_idct_2x2`: a 2x2 image of the block (row-major) from the coefficients at
    /// `twoByTwoPositions` (`coefficients[i]` at `twoByTwoPositions[i]`) and their quantisers.
    static func twoByTwo(_ coefficients: UnsafePointer<Int16>, quantisers: UnsafePointer<Int16>,
                         into output: UnsafeMutablePointer<UInt8>) {
        // Slots of rows/columns 0, 1, 3, 5, 7 in the 5x5 layout above.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 10) { workspace in  // 2 rows x 5 columns
        func dequantized(_ slot: Int) -> Int { Int(coefficients[slot]) * Int(quantisers[slot]) }
        func descale(_ x: Int, _ n: Int) -> Int { (x + (1 << (n - 1))) >> n }
        // Pass 1: columns 0, 1, 3, 5, 7 into two rows.
        for column in 0..<5 {
            if coefficients[5 + column] == 0, coefficients[10 + column] == 0, coefficients[15 + column] == 0,
               coefficients[20 + column] == 0 {
                let dc = dequantized(column) << 2
                workspace[column] = dc
                workspace[5 + column] = dc
                continue
            }
            let tmp10 = dequantized(column) << 15
            let tmp0 = dequantized(20 + column) * -5906 + dequantized(15 + column) * 6967
                + dequantized(10 + column) * -10426 + dequantized(5 + column) * 29692
            workspace[column] = descale(tmp10 + tmp0, 13)
            workspace[5 + column] = descale(tmp10 - tmp0, 13)
        }
        // Pass 2: each row's columns 0, 1, 3, 5, 7 into two samples.
        for row in 0..<2 {
            let w = row * 5
            if workspace[w + 1] == 0, workspace[w + 2] == 0, workspace[w + 3] == 0, workspace[w + 4] == 0 {
                let value = rangeLimit(descale(workspace[w], 5))
                output[row * 2] = value
                output[row * 2 + 1] = value
                continue
            }
            let tmp10 = workspace[w] << 15
            let tmp0 = workspace[w + 4] * -5906 + workspace[w + 3] * 6967 + workspace[w + 2] * -10426
                + workspace[w + 1] * 29692
            output[row * 2] = rangeLimit(descale(tmp10 + tmp0, 20))
            output[row * 2 + 1] = rangeLimit(descale(tmp10 - tmp0, 20))
        }
        }
    }
}
