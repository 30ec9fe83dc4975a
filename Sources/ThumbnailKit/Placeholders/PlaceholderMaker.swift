/// Makes the `--placeholder` strings of one source from a small reduction of the same decode
/// (`PlaceholderMaker.box`, planned beside the thumbnails), so placeholders cost no second read.
public enum PlaceholderMaker {
    /// The box the placeholders' input is reduced into: ThumbHash is defined on at most 100x100
    /// and BlurHash's few components need no more; 32 keeps the DCT sums cheap.
    public static let box = BoxSize(width: 32, height: 32)
    /// Every LQIP `data:` URI is shorter than this many bytes.
    public static let lqipLimit = 1024
    /// The LQIP's longest side to begin with; smaller ones are tried until the URI fits.
    public static let lqipSide = 16

    /// The placeholders of `kinds` for `image` (the upright reduction into `box`); transparency is
    /// flattened onto `background` where a format has no alpha (BlurHash).
    public static func make(_ kinds: [PlaceholderKind], from image: PixelBuffer, background: RGBColor) -> Placeholders {
        var result = Placeholders()
        if kinds.contains(.thumbhash) { result.thumbhash = Base64.encode(ThumbHash.encode(image)) }
        if kinds.contains(.blurhash) {
            // Six components along the long side, five across: measured against the thumbnail at 32
            // pixels, the suggested 4x3 falls under 15 dB PSNR on ordinary photos, 6x5 does not.
            // Fitted by least squares: Wolt's projection decoded further from a low-contrast photo
            // (mate's Wood.jpg) than its flat mean colour; the fit is closer on every photo tried.
            let landscape = image.width >= image.height
            result.blurhash = BlurHash.encode(image.flattened(onto: background),
                                              componentsX: min(landscape ? 6 : 5, image.width),
                                              componentsY: min(landscape ? 5 : 6, image.height), fit: .leastSquares)
        }
        if kinds.contains(.color) { result.color = averageColor(image) }
        if kinds.contains(.lqip) { result.lqip = lqip(image) }
        return result
    }

    /// The alpha-weighted mean colour as `#rrggbb` (gray repeated; a fully transparent image is
    /// `#000000`).
    public static func averageColor(_ image: PixelBuffer) -> String {
        var sums = [0.0, 0.0, 0.0], weight = 0.0
        for i in 0..<image.width * image.height {
            let p = i * image.channels
            let a = image.hasAlpha ? Double(image.pixels[p + image.channels - 1]) / 255 : 1
            for c in 0..<3 { sums[c] += a * Double(image.pixels[p + (image.colorChannels == 1 ? 0 : c)]) }
            weight += a
        }
        let hex = sums.map { sum -> String in
            let v = weight > 0 ? Int((sum / weight).rounded()) : 0
            let digits = String(min(max(v, 0), 255), radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "#" + hex.joined()
    }

    /// A PNG `data:` URI of `image` reduced to `lqipSide` pixels on its longest side, or fewer
    /// until it is shorter than `lqipLimit`. PNG because a JPEG's tables alone take most of 1 KB.
    public static func lqip(_ image: PixelBuffer) -> String? {
        var side = lqipSide
        while side >= 1 {
            let small = reduced(image, into: BoxSize(width: side, height: side))
            if let png = try? PNGEncoder.encode(small, level: 9) {
                let uri = "data:image/png;base64," + Base64.encode(png)
                if uri.utf8.count < lqipLimit { return uri }
            }
            side -= 2
        }
        return nil
    }

    /// `image` fitted into `box` with Lanczos-3, no blur.
    static func reduced(_ image: PixelBuffer, into box: BoxSize) -> PixelBuffer {
        let size = ThumbnailSize.fit(width: image.width, height: image.height, in: box)
        if size == (image.width, image.height) { return image }
        let reducer = SeparableReducer(sourceWidth: image.width, sourceHeight: image.height, channels: image.channels,
                                       horizontal: .lanczos3(from: image.width, to: size.width),
                                       vertical: .lanczos3(from: image.height, to: size.height))
        reducer.consume(image)
        return reducer.finish()
    }
}
