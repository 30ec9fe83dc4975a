import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct SeparableReducerTests {
    /// Reduces through the reducer, optionally box-shrinking by `box` first (weights then from the
    /// shrunk size, spanning the picture's exact extent).
    func reduce(_ image: PixelBuffer, to width: Int, _ height: Int, sigma: Double = 0, box: Int = 1) -> PixelBuffer {
        let sw = (image.width + box - 1) / box, sh = (image.height + box - 1) / box
        let reducer = SeparableReducer(
            sourceWidth: image.width, sourceHeight: image.height, channels: image.channels,
            horizontal: GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: sw, to: width, inputExtent: Double(image.width) / Double(box))),
            vertical: GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: sh, to: height, inputExtent: Double(image.height) / Double(box))),
            boxShrink: box)
        reducer.consume(image)
        return reducer.finish()
    }

    /// An image whose every pixel is the same, and that pixel's samples.
    static func constantImage(width: Int, height: Int, channels: Int) -> (PixelBuffer, [UInt8]) {
        let values: [UInt8] = [31, 128, 250, 77]
        var image = PixelBuffer(width: width, height: height, channels: channels)
        for i in 0..<image.pixels.count { image.pixels[i] = values[i % channels] }
        return (image, values)
    }

    @Test(arguments: [1, 2, 3, 4])
    func aConstantImageStaysConstantWhenReduced(channels: Int) {
        let (image, values) = Self.constantImage(width: 97, height: 61, channels: channels)
        let out = reduce(image, to: 10, 7, sigma: 2)
        #expect(out.width == 10 && out.height == 7 && out.channels == channels)
        for i in 0..<out.pixels.count { #expect(out.pixels[i] == values[i % channels]) }
    }

    /// Left half opaque blue; right half fully transparent but coloured red underneath.
    static func blueBesideHiddenRed(width: Int, height: Int) -> PixelBuffer {
        var image = PixelBuffer(width: width, height: height, channels: 4)
        for y in 0..<height {
            for x in 0..<width {
                let px: [UInt8] = x < width / 2 ? [0, 0, 255, 255] : [255, 0, 0, 0]
                for c in 0..<4 { image[x, y, c] = px[c] }
            }
        }
        return image
    }

    @Test func transparentColourNeverBleedsIntoOpaqueNeighbours() {
        let out = reduce(Self.blueBesideHiddenRed(width: 40, height: 20), to: 8, 4, sigma: 2)
        for y in 0..<out.height {
            for x in 0..<out.width where out[x, y, 3] > 0 {
                #expect(out[x, y, 0] == 0, "red leaked at \(x),\(y): \(out[x, y, 0])")
                #expect(out[x, y, 2] >= 254, "blue lost at \(x),\(y)")
            }
        }
        // The edge column is partly transparent: alpha falls off, colour stays pure blue.
        #expect(out[0, 0, 3] == 255 && out[7, 0, 3] == 0)
    }

    @Test func rowsCanArriveOneAtATime() {
        var image = PixelBuffer(width: 30, height: 30, channels: 3)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8((i * 37) % 256) }
        let whole = reduce(image, to: 9, 5, sigma: 1)
        let reducer = SeparableReducer(
            sourceWidth: 30, sourceHeight: 30, channels: 3,
            horizontal: GaussianBlur.apply(sigma: 1, before: .lanczos3(from: 30, to: 9)),
            vertical: GaussianBlur.apply(sigma: 1, before: .lanczos3(from: 30, to: 5)))
        for y in 0..<30 {
            let row = Array(image.pixels[(y * 90)..<(y * 90 + 90)])
            row.withUnsafeBufferPointer { reducer.consume(row: $0.baseAddress!) }
        }
        #expect(reducer.finish() == whole)
    }

    @Test func flatteningCompositesOverTheBackground() {
        let image = PixelBuffer(width: 2, height: 1, channels: 4, pixels: [255, 0, 0, 0, 0, 0, 255, 128])
        let flat = image.flattened(onto: .white)
        #expect(flat.channels == 3)
        #expect(flat.pixels == [255, 255, 255, 127, 127, 255])
        let gray = PixelBuffer(width: 1, height: 1, channels: 2, pixels: [0, 0]).flattened(onto: RGBColor(parsing: "#808080")!)
        #expect(gray.channels == 1 && gray.pixels == [128])
    }

    @Test(arguments: [1, 2, 3, 4])
    func aConstantImageStaysConstantThroughTheBoxShrink(channels: Int) {
        let (image, values) = Self.constantImage(width: 103, height: 58, channels: channels)
        // 103 and 58 are not multiples of 5: the last blocks are partial.
        let out = reduce(image, to: 10, 5, box: 5)
        for i in 0..<out.pixels.count { #expect(out.pixels[i] == values[i % channels]) }
    }

    @Test func theBoxShrinkStaysCloseToTheFullResampler() throws {
        let photo = try PNGDecoder(path: Fixtures.path("jpeg/vgl_5674_0098.png"), maxDimension: 1000).readImage()
        let full = reduce(photo, to: 20, 16)
        let boxed = reduce(photo, to: 20, 16, box: 3)
        #expect(psnr(full, boxed) > 32)
        // Alpha stays premultiplied through the blocks: transparent red never shows.
        let out = reduce(Self.blueBesideHiddenRed(width: 90, height: 30), to: 9, 3, box: 4)
        for y in 0..<3 { for x in 0..<9 where out[x, y, 3] > 0 { #expect(out[x, y, 0] == 0) } }
    }

    /// A crop window (`--fit cover`) narrows the weights to part of the picture, and the reducer
    /// then skips the columns and rows no weight reads: its output must still be the weights
    /// applied to every pixel they read, with and without a box shrink, however the window lies.
    @Test(arguments: [1, 3])
    func aCropWindowsOutputIsItsWeightsAppliedToThePicture(box: Int) {
        var generator = SplitMix64(seed: 5)
        let image = PixelBuffer(width: 120, height: 90, channels: 3,
                                pixels: (0..<120 * 90 * 3).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let stageWidth = (120 + box - 1) / box, stageHeight = (90 + box - 1) / box
        for (x, y, side) in [(0, 0, 60), (30, 10, 60), (60, 30, 60), (45, 0, 90), (100, 70, 20)] {
            let horizontal = ResampleWeights.lanczos3(from: stageWidth, to: 8, inputExtent: Double(side) / Double(box),
                                                      offset: Double(x) / Double(box))
            let vertical = ResampleWeights.lanczos3(from: stageHeight, to: 8, inputExtent: Double(side) / Double(box),
                                                    offset: Double(y) / Double(box))
            #expect(horizontal.usedInputs.count < stageWidth || vertical.usedInputs.count < stageHeight)
            let reducer = SeparableReducer(sourceWidth: 120, sourceHeight: 90, channels: 3,
                                           horizontal: horizontal, vertical: vertical, boxShrink: box)
            reducer.consume(image)
            let out = reducer.finish()
            // The box averages, then the taps, in doubles: the output is that rounded (half a level)
            // give or take float sums.
            func stage(_ sx: Int, _ sy: Int, _ c: Int) -> Double {
                let xs = (sx * box)..<min(sx * box + box, 120), ys = (sy * box)..<min(sy * box + box, 90)
                var sum = 0.0
                for yy in ys { for xx in xs { sum += Double(image[xx, yy, c]) } }
                return sum / Double(xs.count * ys.count)
            }
            var worst = 0.0
            for oy in 0..<8 {
                for ox in 0..<8 {
                    for c in 0..<3 {
                        var value = 0.0
                        for (sy, wy) in vertical.taps(oy) {
                            for (sx, wx) in horizontal.taps(ox) { value += wy * wx * stage(sx, sy, c) }
                        }
                        worst = max(worst, abs(min(max(value, 0), 255) - Double(out[ox, oy, c])))
                    }
                }
            }
            #expect(worst <= 0.6, "window at \(x),\(y) side \(side): off by \(worst)")
        }
    }
}
