extension PixelBuffer {
    /// `--sharpen`: a mild unsharp mask, `v + amount * (v - blur(v))` with a 3x3 binomial blur
    /// (a Gaussian of sigma about 0.7 pixel), on the colour channels only; edges repeat. Mild
    /// because the thumbnail has just been through Lanczos, which sharpens a little already.
    public func sharpened(amount: Double = 0.5) -> PixelBuffer {
        guard width > 1 || height > 1 else { return self }
        var out = pixels
        let c = channels
        let weights = [1.0, 2.0, 1.0]
        for y in 0..<height {
            for x in 0..<width {
                for k in 0..<colorChannels {
                    var blurred = 0.0
                    for dy in -1...1 {
                        let yy = min(max(y + dy, 0), height - 1)
                        for dx in -1...1 {
                            let xx = min(max(x + dx, 0), width - 1)
                            blurred += weights[dy + 1] * weights[dx + 1] * Double(pixels[(yy * width + xx) * c + k])
                        }
                    }
                    let v = Double(pixels[(y * width + x) * c + k])
                    let sharp = v + amount * (v - blurred / 16)
                    out[(y * width + x) * c + k] = UInt8(min(max(sharp.rounded(), 0), 255))
                }
            }
        }
        return PixelBuffer(width: width, height: height, channels: c, pixels: out)
    }
}
