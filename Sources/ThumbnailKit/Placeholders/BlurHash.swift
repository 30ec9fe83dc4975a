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

    /// The BlurHash of `image` (gray or RGB; flatten alpha first) with `componentsX` x
    /// `componentsY` components (1...9 each).
    public static func encode(_ image: PixelBuffer, componentsX: Int, componentsY: Int) -> String {
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
        var factors: [SIMD3<Double>] = []
        for j in 0..<componentsY {
            for i in 0..<componentsX {
                let normalisation = (i == 0 && j == 0) ? 1.0 : 2.0
                var sum = SIMD3<Double>.zero
                for y in 0..<h {
                    let by = cos(Double.pi * Double(j) * Double(y) / Double(h))
                    for x in 0..<w {
                        let basis = cos(Double.pi * Double(i) * Double(x) / Double(w)) * by
                        sum += basis * linear[x + y * w]
                    }
                }
                factors.append(sum * (normalisation / Double(w * h)))
            }
        }
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

    static func srgbToLinear(_ value: UInt8) -> Double {
        let v = Double(value) / 255
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
