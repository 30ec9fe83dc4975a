import Testing
@testable import ThumbnailKit

struct PillowPNGCase: Decodable, CustomTestStringConvertible {
    let file: String
    let width: Int
    let height: Int
    let channels: Int
    let pillowMode: String
    let interlaced: Bool
    let means: [Double]
    let samples: [[Int]]
    var testDescription: String { file }
}

@Suite struct PNGDecoderTests {
    static let cases = (try? Fixtures.json("pillow-png-decodes", as: [PillowPNGCase].self)) ?? []

    @Test func theTableCoversEveryFixturePNG() {
        let files = Fixtures.files(in: "pngsuite", ending: ".png") + Fixtures.files(in: "testpngs", ending: ".png")
        #expect(Set(Self.cases.map(\.file)) == Set(files))
        #expect(files.count > 150)
    }

    /// Every PngSuite and libpng test image (every colour type, bit depth, palette, tRNS, Adam7)
    /// decodes to what Pillow decodes, in thumbnail's layout (gray stays gray).
    @Test(arguments: cases)
    func decodesLikePillow(_ expected: PillowPNGCase) throws {
        let decoder = try PNGDecoder(path: Fixtures.path(expected.file), maxDimension: 1 << 20)
        #expect(decoder.interlaced == expected.interlaced)
        let image = try decoder.readImage()
        #expect(image.width == expected.width && image.height == expected.height)
        try #require(image.channels == expected.channels, "channels \(image.channels), Pillow \(expected.channels) (\(expected.pillowMode))")
        for (mine, theirs) in zip(image.channelMeans, expected.means) {
            #expect(abs(mine - theirs) < 0.6, "means \(image.channelMeans) vs \(expected.means)")
        }
        for sample in expected.samples {
            let x = sample[0], y = sample[1]
            for c in 0..<expected.channels {
                #expect(abs(Int(image[x, y, c]) - sample[2 + c]) <= 1, "(\(x),\(y)) channel \(c)")
            }
        }
    }

    @Test func interlacedAndPlainFilesDecodeAlike() throws {
        for name in Fixtures.files(in: "pngsuite", ending: ".png") where name.hasPrefix("pngsuite/i") {
            let plain = name.replacingOccurrences(of: "pngsuite/i", with: "pngsuite/")
            let a = try PNGDecoder(path: Fixtures.path(name), maxDimension: 1 << 20).readImage()
            let b = try PNGDecoder(path: Fixtures.path(plain), maxDimension: 1 << 20).readImage()
            #expect(a == b, "\(name)")
        }
    }

    @Test func refusesSidesOverTheLimitBeforeDecoding() {
        #expect(throws: CodecError.self) {
            _ = try PNGDecoder(path: Fixtures.path("pngsuite/basn0g08.png"), maxDimension: 16)
        }
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: CodecError.unreadable("No such file or directory")) {
            _ = try PNGDecoder(path: "/nonexistent/x.png", maxDimension: 100)
        }
    }
}
