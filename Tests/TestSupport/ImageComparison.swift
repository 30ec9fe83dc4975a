import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

extension PixelBuffer {
    /// Peak signal-to-noise ratio against another image of the same size and layout, in dB (99 for
    /// identical images): how tests and tools say how alike two renderings are.
    public func psnr(to other: PixelBuffer) -> Double {
        precondition(width == other.width && height == other.height && channels == other.channels)
        var sum = 0.0
        for i in 0..<pixels.count {
            let d = Double(pixels[i]) - Double(other.pixels[i])
            sum += d * d
        }
        let mse = sum / Double(max(pixels.count, 1))
        return mse == 0 ? 99 : 10 * log10(255 * 255 / mse)
    }
}
