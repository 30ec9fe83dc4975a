#if canImport(Glibc)
import Glibc
#endif

/// BlurHash (Wolt, https://blurha.sh): a picture as a few cosine components in linear light,
/// written in base 83. Character 0: the component grid (`(x-1) + (y-1)*9`); 1: the quantised
/// largest AC magnitude; 2-5: the DC as an sRGB colour; then two characters per AC component,
/// each channel's `signPow(value / max, 0.5)` quantised to 19 levels. Written from Wolt's
/// algorithm description.
public enum BlurHash {
    static let characters = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~".utf8)

    /// How the components are chosen. Both give strings any BlurHash decoder reads.
    public enum Fit: Sendable {
        /// Wolt's encoder: each component is the picture's projection on its cosine. The basis
        /// (`cos(pi * i * x / w)`, no half-pixel shift) is not orthogonal, so on a low-contrast
        /// picture the decoded result can be further from it than its flat mean colour.
        case projection
        /// The components whose decoded picture is nearest the source in linear light (least
        /// squares over the decoder's own basis): measured closer on every photo tried.
        case leastSquares
    }

    /// The BlurHash of `image` (gray or RGB; flatten alpha first) with `componentsX` x
    /// `componentsY` components (1...9 each; at most the image's width and height for
    /// `.leastSquares`, which falls back to `.projection` where its equations are singular).
    public static func encode(_ image: PixelBuffer, componentsX: Int, componentsY: Int, fit: Fit = .projection) -> String {
        precondition((1...9).contains(componentsX) && (1...9).contains(componentsY) && !image.hasAlpha)
        let w = image.width, h = image.height
        var linear = [SIMD3<Double>](repeating: .zero, count: w * h)
        for i in 0..<w * h {
            let p = i * image.channels
            if image.channels == 1 {
                let v = srgbToLinear(image.pixels[p])
                linear[i] = SIMD3(v, v, v)
            } else {
                linear[i] = SIMD3(srgbToLinear(image.pixels[p]), srgbToLinear(image.pixels[p + 1]), srgbToLinear(image.pixels[p + 2]))
            }
        }
        let basis = Basis(width: w, height: h, componentsX: componentsX, componentsY: componentsY)
        let sums = basis.sums(of: linear)
        let factors = fit == .leastSquares && componentsX <= w && componentsY <= h
            ? basis.leastSquares(sums: sums) ?? basis.projection(sums: sums) : basis.projection(sums: sums)
        return hashString(factors, componentsX: componentsX, componentsY: componentsY)
    }

    /// The decoder's basis: component `(i, j)` at pixel `(x, y)` is
    /// `cos(pi * i * x / w) * cos(pi * j * y / h)`, components in row order.
    struct Basis {
        let width: Int, height: Int, componentsX: Int, componentsY: Int
        let cosX: [Double], cosY: [Double]   // [i * width + x], [j * height + y]

        init(width: Int, height: Int, componentsX: Int, componentsY: Int) {
            self.width = width; self.height = height
            self.componentsX = componentsX; self.componentsY = componentsY
            cosX = (0..<componentsX * width).map { cos(Double.pi * Double($0 / width) * Double($0 % width) / Double(width)) }
            cosY = (0..<componentsY * height).map { cos(Double.pi * Double($0 / height) * Double($0 % height) / Double(height)) }
        }

        /// `Bᵀ pixels`: each component's sum of basis times pixel. The basis is separable, so each
        /// row is first summed against the horizontal cosines, then the rows against the vertical:
        /// `componentsX` passes over the pixels instead of one per component.
        func sums(of linear: [SIMD3<Double>]) -> [SIMD3<Double>] {
            var rowSums = [SIMD3<Double>](repeating: .zero, count: componentsX * height)   // [i * height + y]
            for y in 0..<height {
                for i in 0..<componentsX {
                    var sum = SIMD3<Double>.zero
                    for x in 0..<width { sum += cosX[i * width + x] * linear[x + y * width] }
                    rowSums[i * height + y] = sum
                }
            }
            return (0..<componentsX * componentsY).map { k in
                let i = k % componentsX, j = k / componentsX
                var sum = SIMD3<Double>.zero
                for y in 0..<height { sum += cosY[j * height + y] * rowSums[i * height + y] }
                return sum
            }
        }

        /// Wolt's factors: `normalisation / (w h) * sum basis * pixel`.
        func projection(sums: [SIMD3<Double>]) -> [SIMD3<Double>] {
            sums.indices.map { k in sums[k] * ((k == 0 ? 1.0 : 2.0) / Double(width * height)) }
        }

        /// The least-squares factors: the normal equations `(BᵀB) f = Bᵀ pixels` solved by
        /// Cholesky (`nil` when not positive definite). The components' cosines are Chebyshev
        /// polynomials at distinct nodes, so `BᵀB` is regular while components <= pixels.
        func leastSquares(sums right: [SIMD3<Double>]) -> [SIMD3<Double>]? {
            let n = componentsX * componentsY
            // The basis is separable, so BᵀB is the product of the two axes' small Gram matrices
            // (it depends on the size alone): no sum over every pixel for each pair of components.
            func axisGram(_ cosines: [Double], _ count: Int, _ length: Int) -> [Double] {
                var gram = [Double](repeating: 0, count: count * count)
                for i in 0..<count {
                    for j in 0..<count {
                        var sum = 0.0
                        for t in 0..<length { sum += cosines[i * length + t] * cosines[j * length + t] }
                        gram[i * count + j] = sum
                    }
                }
                return gram
            }
            let gramX = axisGram(cosX, componentsX, width), gramY = axisGram(cosY, componentsY, height)
            var gram = [Double](repeating: 0, count: n * n)
            for a in 0..<n {
                for b in 0...a {
                    gram[a * n + b] = gramX[a % componentsX * componentsX + b % componentsX]
                        * gramY[a / componentsX * componentsY + b / componentsX]
                }
            }
            // Cholesky: gram = L Lᵀ, L stored in the lower triangle.
            for a in 0..<n {
                for b in 0...a {
                    var sum = gram[a * n + b]
                    for k in 0..<b { sum -= gram[a * n + k] * gram[b * n + k] }
                    if a == b {
                        guard sum > 1e-9 * Double(width * height) else { return nil }
                        gram[a * n + a] = sum.squareRoot()
                    } else {
                        gram[a * n + b] = sum / gram[b * n + b]
                    }
                }
            }
            var solution = right
            for a in 0..<n {   // L z = right
                for k in 0..<a { solution[a] -= gram[a * n + k] * solution[k] }
                solution[a] /= gram[a * n + a]
            }
            for a in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ f = z
                for k in (a + 1)..<n { solution[a] -= gram[k * n + a] * solution[k] }
                solution[a] /= gram[a * n + a]
            }
            return solution
        }
    }

    /// The hash of `factors` (DC first): grid, quantised AC maximum, DC colour, AC levels.
    static func hashString(_ factors: [SIMD3<Double>], componentsX: Int, componentsY: Int) -> String {
        var hash = base83((componentsX - 1) + (componentsY - 1) * 9, length: 1)
        let ac = factors.dropFirst()
        var maximum = 1.0
        if ac.isEmpty {
            hash += base83(0, length: 1)
        } else {
            let actual = ac.map { max(abs($0.x), abs($0.y), abs($0.z)) }.max() ?? 0
            let quantised = Int(max(0, min(82, (actual * 166 - 0.5).rounded(.down))))
            maximum = Double(quantised + 1) / 166
            hash += base83(quantised, length: 1)
        }
        let dc = factors[0]
        hash += base83(linearToSRGB(dc.x) << 16 | linearToSRGB(dc.y) << 8 | linearToSRGB(dc.z), length: 4)
        for f in ac {
            func level(_ v: Double) -> Int {
                Int(max(0, min(18, (signPow(v / maximum, 0.5) * 9 + 9.5).rounded(.down))))
            }
            hash += base83(level(f.x) * 19 * 19 + level(f.y) * 19 + level(f.z), length: 2)
        }
        return hash
    }

    static func base83(_ value: Int, length: Int) -> String {
        var out: [UInt8] = []
        for i in 1...length {
            var divisor = 1
            for _ in 0..<(length - i) { divisor *= 83 }
            out.append(characters[(value / divisor) % 83])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func srgbToLinear(_ value: UInt8) -> Double { linearTable[Int(value)] }

    /// sRGB's 256 levels in linear light (a `pow` per channel of every pixel took most of the
    /// placeholders' time).
    private static let linearTable: [Double] = (0..<256).map { level in
        let v = Double(level) / 255
        return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }

    static func linearToSRGB(_ value: Double) -> Int {
        let v = max(0, min(1, value))
        let s = v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055
        return Int(s * 255 + 0.5)
    }

    static func signPow(_ value: Double, _ exponent: Double) -> Double {
        value < 0 ? -pow(-value, exponent) : pow(value, exponent)
    }
}
