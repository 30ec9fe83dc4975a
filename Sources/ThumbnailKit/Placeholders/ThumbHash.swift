#if canImport(Glibc)
import Glibc
#endif

/// ThumbHash (Evan Wallace, https://evanw.github.io/thumbhash/): a picture of at most 100x100 as
/// about 25 bytes. The picture, composited over its own average colour, becomes luminance L, two
/// chroma channels P (yellow-blue) and Q (red-green) and alpha A; each channel keeps its DCT's
/// lowest coefficients (a triangle of them: 7 across L's long side, 3 for P and Q, 5 for A),
/// normalised by their largest and quantised to 4 bits, behind a 5-byte header (DCs, scales,
/// aspect, alpha flag). Written from the format's description and reference algorithm.
public enum ThumbHash {
    /// The ThumbHash of `image` (1 to 4 channels, at most 100 pixels a side).
    public static func encode(_ image: PixelBuffer) -> [UInt8] {
        let w = image.width, h = image.height
        precondition(w <= 100 && h <= 100 && w > 0 && h > 0, "ThumbHash takes at most 100x100")
        let n = w * h
        var red = [Double](repeating: 0, count: n), green = red, blue = red, alpha = red
        for i in 0..<n {
            let p = i * image.channels
            switch image.channels {
            case 1: red[i] = Double(image.pixels[p]); green[i] = red[i]; blue[i] = red[i]; alpha[i] = 255
            case 2: red[i] = Double(image.pixels[p]); green[i] = red[i]; blue[i] = red[i]; alpha[i] = Double(image.pixels[p + 1])
            case 3: red[i] = Double(image.pixels[p]); green[i] = Double(image.pixels[p + 1]); blue[i] = Double(image.pixels[p + 2]); alpha[i] = 255
            default:
                red[i] = Double(image.pixels[p]); green[i] = Double(image.pixels[p + 1]); blue[i] = Double(image.pixels[p + 2])
                alpha[i] = Double(image.pixels[p + 3])
            }
        }
        // The average colour, weighted by alpha.
        var avgR = 0.0, avgG = 0.0, avgB = 0.0, avgA = 0.0
        for i in 0..<n {
            let a = alpha[i] / 255
            avgR += a / 255 * red[i]
            avgG += a / 255 * green[i]
            avgB += a / 255 * blue[i]
            avgA += a
        }
        if avgA > 0 {
            avgR /= avgA
            avgG /= avgA
            avgB /= avgA
        }
        let hasAlpha = avgA < Double(n)
        let lLimit = hasAlpha ? 5.0 : 7.0  // fewer luminance terms when alpha needs room
        let longest = Double(max(w, h))
        let lx = max(1, Int(jsRound(lLimit * Double(w) / longest)))
        let ly = max(1, Int(jsRound(lLimit * Double(h) / longest)))
        var l = [Double](repeating: 0, count: n), pc = l, qc = l, ac = l
        for i in 0..<n {
            let a = alpha[i] / 255
            let r = avgR * (1 - a) + a / 255 * red[i]
            let g = avgG * (1 - a) + a / 255 * green[i]
            let b = avgB * (1 - a) + a / 255 * blue[i]
            l[i] = (r + g + b) / 3
            pc[i] = (r + g) / 2 - b
            qc[i] = r - g
            ac[i] = a
        }
        let lum = encodeChannel(l, w: w, h: h, nx: max(3, lx), ny: max(3, ly), scaleLevels: 31)
        let p = encodeChannel(pc, w: w, h: h, nx: 3, ny: 3, scaleLevels: 63)
        let q = encodeChannel(qc, w: w, h: h, nx: 3, ny: 3, scaleLevels: 63)
        let a = hasAlpha ? encodeChannel(ac, w: w, h: h, nx: 5, ny: 5, scaleLevels: 15) : (dc: 1.0, ac: [Double](), scale: 0.0)

        let isLandscape = w > h
        let header24 = Int(jsRound(63 * lum.dc)) | Int(jsRound(31.5 + 31.5 * p.dc)) << 6 | Int(jsRound(31.5 + 31.5 * q.dc)) << 12
            | Int(jsRound(31 * lum.scale)) << 18 | (hasAlpha ? 1 << 23 : 0)
        let header16 = (isLandscape ? ly : lx) | Int(jsRound(63 * p.scale)) << 3 | Int(jsRound(63 * q.scale)) << 9
            | (isLandscape ? 1 << 15 : 0)
        var hash: [UInt8] = [UInt8(header24 & 255), UInt8(header24 >> 8 & 255), UInt8(header24 >> 16 & 255),
                             UInt8(header16 & 255), UInt8(header16 >> 8 & 255)]
        if hasAlpha { hash.append(UInt8(Int(jsRound(15 * a.dc)) | Int(jsRound(15 * a.scale)) << 4)) }
        let acStart = hash.count
        var index = 0
        for channel in hasAlpha ? [lum.ac, p.ac, q.ac, a.ac] : [lum.ac, p.ac, q.ac] {
            for f in channel {
                let byte = acStart + index >> 1
                if byte >= hash.count { hash.append(0) }
                hash[byte] |= UInt8(Int(jsRound(15 * f)) << ((index & 1) << 2))
                index += 1
            }
        }
        return hash
    }

    /// The DC and the normalised (0...1) AC coefficients of a triangle of `nx` x `ny` DCT terms,
    /// and their scale rounded up to the header's `scaleLevels` steps.
    ///
    /// The reference encoder normalises by the exact scale and rounds the scale separately, so a
    /// decoder multiplies the ACs by a scale up to half a step off: on a low-contrast photo (a
    /// luminance scale of about one step) that doubles or drops every AC, and the picture decodes
    /// no nearer than its flat colour (mate's Wood.jpg). Normalising by the scale the header holds
    /// decodes each AC to within a nibble's rounding; the format is unchanged.
    private static func encodeChannel(_ channel: [Double], w: Int, h: Int, nx: Int, ny: Int, scaleLevels: Double)
        -> (dc: Double, ac: [Double], scale: Double) {
        var dc = 0.0, ac: [Double] = [], scale = 0.0
        // The DCT is separable: each row is summed against the horizontal cosines once per `cx`,
        // then those row sums against the vertical cosines, instead of a pass over every pixel
        // (and a cosine per pixel) for each coefficient.
        let cosX = (0..<nx * w).map { cos(Double.pi / Double(w) * Double($0 / w) * (Double($0 % w) + 0.5)) }
        let cosY = (0..<ny * h).map { cos(Double.pi / Double(h) * Double($0 / h) * (Double($0 % h) + 0.5)) }
        var rowSums = [Double](repeating: 0, count: nx * h)   // [cx * h + y]
        for y in 0..<h {
            for cx in 0..<nx {
                var sum = 0.0
                for x in 0..<w { sum += channel[x + y * w] * cosX[cx * w + x] }
                rowSums[cx * h + y] = sum
            }
        }
        for cy in 0..<ny {
            var cx = 0
            while cx * ny < nx * (ny - cy) {
                var f = 0.0
                for y in 0..<h { f += rowSums[cx * h + y] * cosY[cy * h + y] }
                f /= Double(w * h)
                if cx > 0 || cy > 0 {
                    ac.append(f)
                    scale = max(scale, abs(f))
                } else {
                    dc = f
                }
                cx += 1
            }
        }
        scale = min(scaleLevels, (scale * scaleLevels).rounded(.up)) / scaleLevels
        if scale > 0 { ac = ac.map { min(1, max(0, 0.5 + 0.5 / scale * $0)) } }
        return (dc, ac, scale)
    }

    /// JavaScript's `Math.round` (halves toward +infinity), which the format's quantisation uses.
    static func jsRound(_ x: Double) -> Double { (x + 0.5).rounded(.down) }
}
