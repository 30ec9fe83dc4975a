/// `--crop attention`: where a `cover` crop goes, after libvips' attention strategy
/// (`smartcrop.c`): score each pixel of a small upright reduction of the picture for what draws the
/// eye (edges, saturated colour, skin tones), then keep the window of the crop's size that holds
/// the most score. Ties (a featureless picture) go to the window nearest the centre.
public enum AttentionCrop {
    /// The longest side of the reduction the scores are computed on.
    public static let analysisSide = 64

    /// The focus (window centre, 0...1 on each axis) for a window of `windowWidth` x
    /// `windowHeight` out of a `pictureWidth` x `pictureHeight` upright picture, from `image`, the
    /// picture reduced (upright, any channels).
    public static func focus(in image: PixelBuffer, pictureWidth: Int, pictureHeight: Int, windowWidth: Int,
                             windowHeight: Int) -> (x: Double, y: Double) {
        let w = image.width, h = image.height
        let ww = min(max(Int((Double(windowWidth) * Double(w) / Double(pictureWidth)).rounded()), 1), w)
        let wh = min(max(Int((Double(windowHeight) * Double(h) / Double(pictureHeight)).rounded()), 1), h)
        let score = scores(image)
        // Summed-area table: any window's total in four reads.
        var table = [Double](repeating: 0, count: (w + 1) * (h + 1))
        for y in 0..<h {
            var row = 0.0
            for x in 0..<w {
                row += score[y * w + x]
                table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + row
            }
        }
        var best = (x: (w - ww) / 2, y: (h - wh) / 2)
        var bestScore = -1.0
        var bestDistance = Double.infinity
        let centre = (Double(w - ww) / 2, Double(h - wh) / 2)
        for y in 0...(h - wh) {
            for x in 0...(w - ww) {
                let total = table[(y + wh) * (w + 1) + x + ww] - table[y * (w + 1) + x + ww]
                    - table[(y + wh) * (w + 1) + x] + table[y * (w + 1) + x]
                let distance = (Double(x) - centre.0) * (Double(x) - centre.0) + (Double(y) - centre.1) * (Double(y) - centre.1)
                // Sums of the same pixels in another order differ in the last bits: a tolerance.
                let tolerance = 1e-9 * max(abs(total), 1)
                if total > bestScore + tolerance || (abs(total - bestScore) <= tolerance && distance < bestDistance) {
                    best = (x, y)
                    bestScore = total
                    bestDistance = distance
                }
            }
        }
        return ((Double(best.x) + Double(ww) / 2) / Double(w), (Double(best.y) + Double(wh) / 2) / Double(h))
    }

    /// Each pixel's interest: the edge strength of its luma (Laplacian), its saturation where it is
    /// neither near black nor near white, and how close its hue is to skin; transparent pixels
    /// score nothing.
    static func scores(_ image: PixelBuffer) -> [Double] {
        let w = image.width, h = image.height
        var luma = [Double](repeating: 0, count: w * h)
        var rgb = [SIMD3<Double>](repeating: .zero, count: w * h)
        var opacity = [Double](repeating: 1, count: w * h)
        for i in 0..<w * h {
            let p = i * image.channels
            let gray = image.colorChannels == 1
            let r = Double(image.pixels[p]) / 255
            let g = gray ? r : Double(image.pixels[p + 1]) / 255
            let b = gray ? r : Double(image.pixels[p + 2]) / 255
            rgb[i] = SIMD3(r, g, b)
            luma[i] = 0.299 * r + 0.587 * g + 0.114 * b
            if image.hasAlpha { opacity[i] = Double(image.pixels[p + image.channels - 1]) / 255 }
        }
        let skinTone = SIMD3<Double>(0.78, 0.57, 0.44)
        let skinUnit = skinTone / (skinTone * skinTone).sum().squareRoot()
        var score = [Double](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let left = luma[y * w + max(x - 1, 0)], right = luma[y * w + min(x + 1, w - 1)]
                let up = luma[max(y - 1, 0) * w + x], down = luma[min(y + 1, h - 1) * w + x]
                let edge = min(abs(4 * luma[i] - left - right - up - down) * 4, 1)
                let c = rgb[i]
                let top = c.max(), bottom = c.min()
                let saturation = top > 0 ? (top - bottom) / top : 0
                let lit = luma[i] > 0.05 && luma[i] < 0.95
                let length = (c * c).sum().squareRoot()
                let similarity = length > 0 ? (c / length * skinUnit).sum() : 0
                let skin = lit && similarity > 0.98 && luma[i] > 0.2 ? (similarity - 0.98) / 0.02 : 0
                score[i] = opacity[i] * (edge + (lit ? 0.5 * saturation : 0) + skin)
            }
        }
        return score
    }
}
