import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

extension MetadataTests {
    @Suite struct OrientedPixelsTests {
        /// 3x2, one channel:  1 2 3
        ///                    4 5 6
        static let stored = PixelBuffer(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])

        /// What Pillow's `Image.transpose` gives for each EXIF value, as `ImageOps.exif_transpose` maps
        /// them (2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7
        /// TRANSVERSE, 8 ROTATE_90), printed from Pillow 12 on the image above.
        static let expected: [Int: (width: Int, height: Int, pixels: [UInt8])] = [
            1: (3, 2, [1, 2, 3, 4, 5, 6]),
            2: (3, 2, [3, 2, 1, 6, 5, 4]),
            3: (3, 2, [6, 5, 4, 3, 2, 1]),
            4: (3, 2, [4, 5, 6, 1, 2, 3]),
            5: (2, 3, [1, 4, 2, 5, 3, 6]),
            6: (2, 3, [4, 1, 5, 2, 6, 3]),
            7: (2, 3, [6, 3, 5, 2, 4, 1]),
            8: (2, 3, [3, 6, 2, 5, 1, 4]),
        ]

        @Test(arguments: 1...8)
        func movesPixelsAsPillowDoes(_ orientation: Int) {
            let result = Self.stored.oriented(orientation)
            let want = Self.expected[orientation]!
            #expect(result.width == want.width && result.height == want.height && result.channels == 1)
            #expect(result.pixels == want.pixels)
            #expect((result.width != Self.stored.width) == EXIFOrientation.swapsAxes(orientation))
        }

        /// Every channel count moves whole pixels: channel k of each pixel stays channel k.
        @Test(arguments: 1...4)
        func movesWholePixelsForEveryChannelCount(_ channels: Int) {
            let pixels = Self.stored.pixels.flatMap { v in (0..<channels).map { UInt8(Int(v) * 10 + $0) } }
            let image = PixelBuffer(width: 3, height: 2, channels: channels, pixels: pixels)
            for orientation in 1...8 {
                let result = image.oriented(orientation)
                let want = Self.expected[orientation]!
                #expect(result.width == want.width && result.height == want.height && result.channels == channels)
                #expect(result.pixels == want.pixels.flatMap { v in (0..<channels).map { UInt8(Int(v) * 10 + $0) } })
            }
        }

        @Test func inversesAndCompositionsHold() {
            // A larger, non-square image with distinct pixels, so no symmetry hides a mistake.
            let image = PixelBuffer(width: 5, height: 3, channels: 2, pixels: (0..<30).map { UInt8($0) })
            #expect(image.oriented(6).oriented(8) == image)
            #expect(image.oriented(8).oriented(6) == image)
            for selfInverse in [2, 3, 4, 5, 7] {
                #expect(image.oriented(selfInverse).oriented(selfInverse) == image, "\(selfInverse)")
            }
            #expect(image.oriented(6).oriented(6) == image.oriented(3))
            #expect(image.oriented(8).oriented(8) == image.oriented(3))
            #expect(image.oriented(2).oriented(4) == image.oriented(3))
            #expect(image.oriented(5).oriented(2) == image.oriented(6))  // transpose, then mirror: 90° CW
            #expect(image.oriented(5).oriented(4) == image.oriented(8))
            #expect(image.oriented(6).oriented(2) == image.oriented(5))
            #expect(image.oriented(6).oriented(4) == image.oriented(7))
            #expect(image.oriented(1) == image)
            #expect(image.oriented(0) == image && image.oriented(9) == image && image.oriented(-1) == image)
        }

        @Test func emptyAndSinglePixelImages() {
            let column = PixelBuffer(width: 1, height: 4, channels: 3, pixels: (0..<12).map { UInt8($0) })
            #expect(column.oriented(6) == PixelBuffer(width: 4, height: 1, channels: 3, pixels: [9, 10, 11, 6, 7, 8, 3, 4, 5, 0, 1, 2]))
            let dot = PixelBuffer(width: 1, height: 1, channels: 4, pixels: [1, 2, 3, 4])
            for orientation in 1...8 { #expect(dot.oriented(orientation) == dot) }
            let empty = PixelBuffer(width: 0, height: 7, channels: 1, pixels: [])
            #expect(empty.oriented(6) == PixelBuffer(width: 7, height: 0, channels: 1, pixels: []))
        }

        /// Dave Perrett's corpus: one picture stored nine ways, each with the EXIF value that makes it
        /// upright. Decoded at 1/8 and oriented, all nine must match the upright _1.
        @Test(arguments: ["Landscape", "Portrait"])
        func corpusImagesAllComeOutUpright(_ set: String) throws {
            let decoder = try JPEGDecoder()
            var stored: [PixelBuffer] = []
            var orientations: [Int] = []
            for n in 0...8 {
                let data = try FileIO.readAll(path: Fixtures.path("exif-orientation/\(set)_\(n).jpg"))
                stored.append(try decoder.decode(data, header: try decoder.readHeader(data), eighths: 1))
                orientations.append(EXIFOrientation.read(jpeg: data))
            }
            let reference = stored[1]
            #expect(set == "Landscape" ? reference.width > reference.height : reference.width < reference.height)
            for n in 0...8 {
                let upright = stored[n].oriented(orientations[n])
                try #require(upright.width == reference.width && upright.height == reference.height, "\(set)_\(n)")
                let score = psnr(upright, reference)
                #expect(score > 25, "\(set)_\(n): \(score) dB")
                // Every other way of turning the stored pixels that keeps this shape must be far off:
                // the check above can fail.
                for wrong in 1...8 where wrong != orientations[n] {
                    let candidate = stored[n].oriented(wrong)
                    guard candidate.width == reference.width else { continue }
                    let wrongScore = psnr(candidate, reference)
                    #expect(wrongScore < 20, "\(set)_\(n) turned by \(wrong): \(wrongScore) dB")
                }
            }
        }
    }
}
