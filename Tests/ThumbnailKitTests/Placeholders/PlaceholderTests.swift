import Foundation
import Testing
@testable import ThumbnailKit

@Suite struct PlaceholderTests {
    @Test func base64MatchesRFC4648() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64.encode(Array(plain.utf8)) == encoded) }
    }

    @Test func aFlatPictureHasOnlyItsColour() {
        let image = PixelBuffer(width: 20, height: 10, channels: 3, pixels: [UInt8]((0..<200).flatMap { _ in [200, 100, 50] as [UInt8] }))
        let made = PlaceholderMaker.make(PlaceholderKind.allCases, from: image, background: .white)
        #expect(made.color == "#c86432")
        #expect(made.blurhash?.count == 4 + 2 * 30)
        #expect(made.lqip!.hasPrefix("data:image/png;base64,") && made.lqip!.utf8.count < 1024)
        // ThumbHash: no alpha flag, landscape, 5 header bytes plus the AC nibbles.
        let hash = ThumbHash.encode(image)
        #expect(hash[2] & 0x80 == 0 && hash[4] & 0x80 != 0)
    }

    /// The same strings as the reference encoder on PyPI (`blurhash.encode`), for a flat picture
    /// (whose BlurHash has AC terms: the basis has no half-pixel shift), a gradient and noise.
    @Test func blurHashMatchesTheReferenceEncoder() throws {
        var generator = SplitMix64(seed: 3)
        let images = [
            PixelBuffer(width: 20, height: 10, channels: 3, pixels: [UInt8]((0..<200).flatMap { _ in [200, 100, 50] as [UInt8] })),
            PixelBuffer(width: 32, height: 24, channels: 3, pixels: (0..<32 * 24 * 3).map { (i: Int) -> UInt8 in
                let x = i / 3 % 32
                return UInt8(x * 7 + i % 3 * 10)
            }),
            PixelBuffer(width: 17, height: 31, channels: 3, pixels: (0..<17 * 31 * 3).map { _ in UInt8.random(in: 0...255, using: &generator) }),
        ]
        let folder = Fixtures.temporaryFolder()
        for (n, image) in images.enumerated() {
            let path = folder + "/\(n).png"
            try FileIO.writeAtomically(try PNGEncoder.encode(image), to: path)
            for (cx, cy) in [(4, 3), (6, 5), (5, 6)] {
                let ours = BlurHash.encode(image, componentsX: cx, componentsY: cy)
                let script = "import blurhash, sys; from PIL import Image; import numpy; print(blurhash.encode(numpy.asarray(Image.open(sys.argv[1]).convert('RGB')), \(cx), \(cy)))"
                let reference = try runPython(script, path)
                #expect(ours == reference, "image \(n) \(cx)x\(cy)")
            }
        }
    }

    /// The least-squares fit decodes (with PyPI's decoder) nearer the picture than Wolt's
    /// projection does, and nearer than the flat mean colour, on a low-contrast grain (where the
    /// projection loses to the flat colour, as on mate's Wood.jpg) and on a sharp-edged scene.
    @Test func fittedBlurHashDecodesNearerThanTheProjection() throws {
        var generator = SplitMix64(seed: 11)
        let grain = PixelBuffer(width: 32, height: 24, channels: 3, pixels: (0..<32 * 24 * 3).map { i in
            UInt8(200 + (i % 3) * 8 + Int.random(in: -12...12, using: &generator) + (i / 3 % 32) / 8)
        })
        let scene = PixelBuffer(width: 32, height: 24, channels: 3, pixels: (0..<32 * 24 * 3).map { i in
            let x = i / 3 % 32, y = i / 96
            return (x - 20) * (x - 20) + (y - 10) * (y - 10) < 30 ? [250, 200, 20][i % 3] : UInt8(40 + y * 4)
        })
        let folder = Fixtures.temporaryFolder()
        for (n, image) in [grain, scene].enumerated() {
            let path = folder + "/fit\(n).png"
            try FileIO.writeAtomically(try PNGEncoder.encode(image), to: path)
            let fitted = BlurHash.encode(image, componentsX: 6, componentsY: 5, fit: .leastSquares)
            let projected = BlurHash.encode(image, componentsX: 6, componentsY: 5)
            let script = """
                import blurhash, sys, numpy as np
                from PIL import Image
                a = np.asarray(Image.open(sys.argv[1]).convert('RGB'), dtype=float)
                def psnr(b): return 10 * np.log10(255 ** 2 / np.mean((np.round(b) - a) ** 2))
                flat = np.broadcast_to(np.round(a.reshape(-1, 3).mean(axis=0)), a.shape)
                print(*[psnr(np.array(blurhash.decode(h, a.shape[1], a.shape[0]), dtype=float)) for h in sys.argv[2:]], psnr(flat))
                """
            let figures = try runPython(script, path, fitted, projected).split(separator: " ").compactMap { Double($0) }
            try #require(figures.count == 3)
            #expect(figures[0] > figures[1] && figures[0] > figures[2], "image \(n): fitted, projected, flat = \(figures)")
        }
    }

    private func runPython(_ script: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func transparentPixelsDoNotColourTheAverage() {
        var image = PixelBuffer(width: 2, height: 1, channels: 4, repeating: 0)
        image.pixels = [255, 0, 0, 255, 0, 255, 0, 0]
        #expect(PlaceholderMaker.averageColor(image) == "#ff0000")
        #expect(ThumbHash.encode(image)[2] & 0x80 != 0)
    }

    @Test func theBudgetSearchFindsTheHighestQualityThatFits() throws {
        var generator = SplitMix64(seed: 7)
        let image = PixelBuffer(width: 96, height: 64, channels: 3,
                                pixels: (0..<96 * 64 * 3).map { i in UInt8(truncatingIfNeeded: (i % 288) / 2 + Int.random(in: 0...40, using: &generator)) })
        let encoder = try JPEGEncoder()
        var spec = ThumbnailSpec()
        spec.quality = 90
        for budget in [1500, 3000, 5000] {
            let fitted = try BudgetedEncoding.encode(image, iccProfile: nil, spec: spec, maxBytes: budget, with: encoder)
            let atQuality = try encoder.encode(image, quality: fitted.quality)
            #expect(atQuality == fitted.bytes)
            if fitted.overBudget {
                #expect(fitted.quality == 1 && fitted.bytes.count > budget)
            } else {
                #expect(fitted.bytes.count <= budget)
                if fitted.quality < 90 {
                    #expect(try encoder.encode(image, quality: fitted.quality + 1).count > budget, "budget \(budget)")
                }
            }
        }
    }

    @Test func sharpeningLeavesFlatAreasAndSteepensEdges() {
        let flat = PixelBuffer(width: 5, height: 5, channels: 3, repeating: 120)
        #expect(flat.sharpened() == flat)
        var step = PixelBuffer(width: 6, height: 1, channels: 1, pixels: [50, 50, 50, 200, 200, 200])
        step = step.sharpened()
        #expect(step.pixels[2] < 50 && step.pixels[3] > 200 && step.pixels[0] == 50 && step.pixels[5] == 200)
    }
}
