import Testing
@testable import ThumbnailKit

struct PillowBlurCase: Decodable {
    let sigma: Double
    let size: Int
    let row: [Int]
    let column: [Int]
}

@Suite struct GaussianBlurTests {
    /// Blurs a one-channel image through the reducer at its own size (the blur alone).
    func blur(_ image: PixelBuffer, sigma: Double) -> PixelBuffer {
        let reducer = SeparableReducer(
            sourceWidth: image.width, sourceHeight: image.height, channels: image.channels,
            horizontal: GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: image.width, to: image.width)),
            vertical: GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: image.height, to: image.height)))
        reducer.consume(image)
        return reducer.finish()
    }

    @Test func boxRadiusMatchesPillow() {
        // Pillow's _gaussian_blur_radius(2, 3) and (5, 3).
        #expect(abs(GaussianBlur.boxRadius(sigma: 2) - 1.375) < 1e-12)
        #expect(abs(GaussianBlur.boxRadius(sigma: 5) - 4.45) < 1e-9)
    }

    @Test(arguments: [0.5, 2.0, 5.0])
    func matchesPillowOnAnImpulse(sigma: Double) throws {
        let cases = try Fixtures.json("pillow-gaussian-blur", as: [PillowBlurCase].self)
        let pillow = try #require(cases.first { $0.sigma == sigma })
        var image = PixelBuffer(width: pillow.size, height: pillow.size, channels: 1)
        image[pillow.size / 2, pillow.size / 2, 0] = 255
        let ours = blur(image, sigma: sigma)
        for i in 0..<pillow.size {
            // Pillow rounds to 8 bits after every one of its six passes; one level apart at most.
            #expect(abs(Int(ours[i, pillow.size / 2, 0]) - pillow.row[i]) <= 1, "x \(i)")
            #expect(abs(Int(ours[pillow.size / 2, i, 0]) - pillow.column[i]) <= 1, "y \(i)")
        }
    }

    @Test func anImpulseSpreadsSymmetrically() {
        var image = PixelBuffer(width: 21, height: 21, channels: 1)
        image[10, 10, 0] = 255
        let out = blur(image, sigma: 2)
        #expect(out[10, 10, 0] < 255 && out[10, 10, 0] > 0)
        for d in 1...10 {
            #expect(out[10 - d, 10, 0] == out[10 + d, 10, 0])
            #expect(out[10, 10 - d, 0] == out[10, 10 + d, 0])
            #expect(out[10, 10 - d, 0] == out[10 - d, 10, 0])
            #expect(out[10 + d, 10, 0] <= out[10 + d - 1, 10, 0])
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func aConstantImageStaysConstant(channels: Int) {
        let values: [UInt8] = [200, 17, 99, 255]
        var image = PixelBuffer(width: 13, height: 7, channels: channels)
        for i in 0..<image.pixels.count { image.pixels[i] = values[i % channels] }
        #expect(blur(image, sigma: 3) == image)
    }
}
