/// The inverse transforms of a VP8L image (RFC 9649 section 4), applied one row at a time in the
/// reverse of the order the stream lists them: each decoded (entropy-coded) row becomes a row of
/// final ARGB pixels as soon as it is complete. Only the predictor needs more than the row: the
/// row above as it left the predictor, kept here.
final class VP8LTransforms {
    /// One transform as the stream gives it.
    enum Transform {
        /// Prediction modes per `1 << bits` tile (green of `modes`), for an image `width` wide.
        case predictor(bits: Int, width: Int, modes: [UInt32])
        /// Colour-transform multipliers per tile.
        case crossColor(bits: Int, width: Int, multipliers: [UInt32])
        /// Green added back to red and blue, over a row `width` wide.
        case subtractGreen(width: Int)
        /// A palette (extended with transparent black to `1 << (8 >> bits)` entries); `bits` > 0
        /// packs `1 << bits` indices per pixel of a row `width` wide once unpacked.
        case colorIndexing(bits: Int, width: Int, palette: [UInt32])
    }

    private let transforms: [Transform]
    /// The final row width, and the width rows arrive with.
    let width: Int
    let packedWidth: Int
    private let current: UnsafeMutablePointer<UInt32>
    private let scratch: UnsafeMutablePointer<UInt32>
    /// The predictor's previous output row, plus one pixel (see `predict`).
    private let above: UnsafeMutablePointer<UInt32>
    private var y = 0

    /// `transforms` in stream order; rows arrive `packedWidth` wide and leave `width` wide.
    init(_ transforms: [Transform], width: Int, packedWidth: Int) {
        self.transforms = transforms
        self.width = width
        self.packedWidth = packedWidth
        current = .allocate(capacity: width)
        scratch = .allocate(capacity: width)
        above = .allocate(capacity: width + 1)
        above.initialize(repeating: 0, count: width + 1)
    }

    deinit {
        current.deallocate()
        scratch.deallocate()
        above.deallocate()
    }

    /// Turns the next decoded row into final ARGB pixels (`width` of them, valid until the next call).
    func apply(_ row: UnsafePointer<UInt32>) -> UnsafePointer<UInt32> {
        var out = current
        var other = scratch
        out.update(from: row, count: packedWidth)
        for transform in transforms.reversed() {
            switch transform {
            case .predictor(let bits, let width, let modes):
                predict(out, width: width, bits: bits, modes: modes)
            case .crossColor(let bits, let width, let multipliers):
                multipliers.withUnsafeBufferPointer { m in
                    let tileRow = (y >> bits) * Self.subsampled(width, bits)
                    for x in 0..<width {
                        let code = m[tileRow + (x >> bits)]
                        out[x] = Self.inverseCrossColor(out[x], greenToRed: Int8(truncatingIfNeeded: code),
                                                        greenToBlue: Int8(truncatingIfNeeded: code >> 8),
                                                        redToBlue: Int8(truncatingIfNeeded: code >> 16))
                    }
                }
            case .subtractGreen(let width):
                for x in 0..<width {
                    let argb = out[x]
                    let green = (argb >> 8) & 0xFF
                    out[x] = (argb & 0xFF00_FF00) | (((argb & 0x00FF_00FF) &+ (green << 16 | green)) & 0x00FF_00FF)
                }
            case .colorIndexing(let bits, let width, let palette):
                palette.withUnsafeBufferPointer { p in
                    if bits == 0 {
                        for x in 0..<width { other[x] = p[Int((out[x] >> 8) & 0xFF)] }
                    } else {
                        let bitsPerIndex = 8 >> bits
                        let countMask = (1 << bits) - 1
                        let indexMask = UInt32((1 << bitsPerIndex) - 1)
                        var packed: UInt32 = 0
                        var source = 0
                        for x in 0..<width {
                            if x & countMask == 0 {
                                packed = (out[source] >> 8) & 0xFF
                                source += 1
                            }
                            other[x] = p[Int(packed & indexMask)]
                            packed >>= UInt32(bitsPerIndex)
                        }
                    }
                }
                swap(&out, &other)
            }
        }
        y += 1
        return UnsafePointer(out)
    }

    /// How many tiles of `1 << bits` cover `size`.
    static func subsampled(_ size: Int, _ bits: Int) -> Int { (size + (1 << bits) - 1) >> bits }

    /// Adds each pixel's prediction (from its already-restored neighbours) in place, then keeps
    /// the row as the next one's top. The top-right of the last pixel is the row's own first
    /// pixel, as in libwebp, where rows lie one after another.
    private func predict(_ out: UnsafeMutablePointer<UInt32>, width: Int, bits: Int, modes: [UInt32]) {
        if y == 0 {
            out[0] = Self.add(out[0], 0xFF00_0000)
            for x in 1..<width { out[x] = Self.add(out[x], out[x - 1]) }
        } else {
            let top = above
            out[0] = Self.add(out[0], top[0])
            top[width] = out[0]
            modes.withUnsafeBufferPointer { m in
                let tileRow = (y >> bits) * Self.subsampled(width, bits)
                var x = 1
                while x < width {
                    let mode = (m[tileRow + (x >> bits)] >> 8) & 0xF
                    let end = min((x & ~((1 << bits) - 1)) + (1 << bits), width)
                    // One loop per mode: the mode is fixed along a tile's run of pixels.
                    @inline(__always) func run(_ predict: (UInt32, Int) -> UInt32) {
                        var left = out[x - 1]
                        while x < end {
                            left = Self.add(out[x], predict(left, x))
                            out[x] = left
                            x += 1
                        }
                    }
                    switch mode {
                    case 1: run { left, _ in left }
                    case 2: run { _, x in top[x] }
                    case 3: run { _, x in top[x + 1] }
                    case 4: run { _, x in top[x - 1] }
                    case 5: run { left, x in Self.average(Self.average(left, top[x + 1]), top[x]) }
                    case 6: run { left, x in Self.average(left, top[x - 1]) }
                    case 7: run { left, x in Self.average(left, top[x]) }
                    case 8: run { _, x in Self.average(top[x - 1], top[x]) }
                    case 9: run { _, x in Self.average(top[x], top[x + 1]) }
                    case 10: run { left, x in Self.average(Self.average(left, top[x - 1]), Self.average(top[x], top[x + 1])) }
                    case 11: run { left, x in Self.select(top[x], left, top[x - 1]) }
                    case 12: run { left, x in Self.clampedAddSubtractFull(left, top[x], top[x - 1]) }
                    case 13: run { left, x in Self.clampedAddSubtractHalf(Self.average(left, top[x]), top[x - 1]) }
                    default: run { _, _ in 0xFF00_0000 }  // 0, and 14 and 15 as libwebp pads them
                    }
                }
            }
        }
        above.update(from: out, count: width)
    }

    /// Channel-wise addition modulo 256.
    @inline(__always)
    static func add(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let alphaGreen = (a & 0xFF00_FF00) &+ (b & 0xFF00_FF00)
        let redBlue = (a & 0x00FF_00FF) &+ (b & 0x00FF_00FF)
        return (alphaGreen & 0xFF00_FF00) | (redBlue & 0x00FF_00FF)
    }

    @inline(__always)
    private static func average(_ a: UInt32, _ b: UInt32) -> UInt32 {
        (((a ^ b) & 0xFEFE_FEFE) >> 1) &+ (a & b)
    }

    @inline(__always)
    private static func select(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        @inline(__always) func part(_ shift: UInt32) -> Int {
            let ac = Int((a >> shift) & 0xFF), bc = Int((b >> shift) & 0xFF), cc = Int((c >> shift) & 0xFF)
            return abs(bc - cc) - abs(ac - cc)
        }
        return part(0) + part(8) + part(16) + part(24) <= 0 ? a : b
    }

    @inline(__always)
    private static func clamp(_ value: Int) -> UInt32 { UInt32(min(max(value, 0), 255)) }

    @inline(__always)
    private static func clampedAddSubtractFull(_ a: UInt32, _ b: UInt32, _ c: UInt32) -> UInt32 {
        @inline(__always) func part(_ shift: UInt32) -> UInt32 {
            clamp(Int((a >> shift) & 0xFF) + Int((b >> shift) & 0xFF) - Int((c >> shift) & 0xFF)) << shift
        }
        return part(0) | part(8) | part(16) | part(24)
    }

    @inline(__always)
    private static func clampedAddSubtractHalf(_ a: UInt32, _ b: UInt32) -> UInt32 {
        @inline(__always) func part(_ shift: UInt32) -> UInt32 {
            let ac = Int((a >> shift) & 0xFF), bc = Int((b >> shift) & 0xFF)
            return clamp(ac + (ac - bc) / 2) << shift
        }
        return part(0) | part(8) | part(16) | part(24)
    }

    @inline(__always)
    private static func inverseCrossColor(_ argb: UInt32, greenToRed: Int8, greenToBlue: Int8, redToBlue: Int8) -> UInt32 {
        let green = Int(Int8(truncatingIfNeeded: argb >> 8))
        var red = Int((argb >> 16) & 0xFF)
        var blue = Int(argb & 0xFF)
        red += (Int(greenToRed) * green) >> 5
        red &= 0xFF
        blue += (Int(greenToBlue) * green) >> 5
        blue += (Int(redToBlue) * Int(Int8(truncatingIfNeeded: red))) >> 5
        blue &= 0xFF
        return (argb & 0xFF00_FF00) | UInt32(red) << 16 | UInt32(blue)
    }
}
