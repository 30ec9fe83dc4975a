/// libjpeg's YCbCr-to-RGB tables (jdcolor.c `build_ycc_rgb_table`, 16-bit fixed point), so that
/// colour converted here matches TurboJPEG's.
struct YCbCrToRGBTable {
    private var crToR = [Int](repeating: 0, count: 256)
    private var cbToB = [Int](repeating: 0, count: 256)
    private var crToG = [Int](repeating: 0, count: 256)
    private var cbToG = [Int](repeating: 0, count: 256)

    static let shared = YCbCrToRGBTable()

    private init() {
        func fix(_ x: Double) -> Int { Int(x * 65536 + 0.5) }
        let half = 1 << 15
        for i in 0..<256 {
            let x = i - 128
            crToR[i] = (fix(1.40200) * x + half) >> 16
            cbToB[i] = (fix(1.77200) * x + half) >> 16
            crToG[i] = -fix(0.71414) * x
            cbToG[i] = -fix(0.34414) * x + half
        }
    }

    /// Writes R, G, B for one pixel at `output`.
    @inline(__always)
    func convert(y: UInt8, cb: UInt8, cr: UInt8, into output: UnsafeMutablePointer<UInt8>) {
        let luma = Int(y), cb = Int(cb), cr = Int(cr)
        output[0] = Self.clamp(luma + crToR[cr])
        output[1] = Self.clamp(luma + ((cbToG[cb] + crToG[cr]) >> 16))
        output[2] = Self.clamp(luma + cbToB[cb])
    }

    @inline(__always)
    private static func clamp(_ value: Int) -> UInt8 { UInt8(max(0, min(255, value))) }
}
