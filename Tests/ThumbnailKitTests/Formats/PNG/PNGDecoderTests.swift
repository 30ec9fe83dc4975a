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

    /// Passes reduced as they arrive give the thumbnail of the assembled image.
    @Test func interlacedPassesReduceLikeTheWholeImage() throws {
        // Some PngSuite "i" files are not interlaced after all: go by the header.
        let files = try Fixtures.files(in: "pngsuite", ending: ".png").filter {
            try PNGDecoder(path: Fixtures.path($0), maxDimension: 1 << 20).interlaced
        }
        #expect(files.count > 10)
        for file in files {
            let whole = try PNGDecoder(path: Fixtures.path(file), maxDimension: 1 << 20).readImage()
            for (w, h, sigma) in [(11, 7, 0.0), (32, 32, 2.0), (5, 13, 1.0)] {
                let horizontal = GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: whole.width, to: w))
                let vertical = GaussianBlur.apply(sigma: sigma, before: .lanczos3(from: whole.height, to: h))
                let full = SeparableReducer(sourceWidth: whole.width, sourceHeight: whole.height, channels: whole.channels,
                                            horizontal: horizontal, vertical: vertical)
                full.consume(whole)
                let expected = full.finish()
                let decoder = try PNGDecoder(path: Fixtures.path(file), maxDimension: 1 << 20, deinterlace: false)
                let sparse = InterlacedReducer(sourceWidth: whole.width, sourceHeight: whole.height, channels: whole.channels,
                                               horizontal: horizontal, vertical: vertical)
                var rows = 0
                try decoder.readPassRows { row, place in
                    sparse.consume(row: row, at: place)
                    rows += 1
                }
                #expect(rows > whole.height, "\(file): seven passes give more rows than the image has")
                let got = sparse.finish()
                #expect(got.width == w && got.height == h)
                // The same sums in another order: at most one level apart.
                let worst = zip(got.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(worst <= 1, "\(file) \(w)x\(h): off by \(worst)")

                // Block sums from the passes equal the box shrink of the assembled rows.
                let box = 3
                let sw = (whole.width + box - 1) / box, sh = (whole.height + box - 1) / box
                let bh = GaussianBlur.apply(sigma: sigma / 3, before: .lanczos3(from: sw, to: w, inputExtent: Double(whole.width) / 3))
                let bv = GaussianBlur.apply(sigma: sigma / 3, before: .lanczos3(from: sh, to: h, inputExtent: Double(whole.height) / 3))
                let rowsBoxed = SeparableReducer(sourceWidth: whole.width, sourceHeight: whole.height, channels: whole.channels,
                                                 horizontal: bh, vertical: bv, boxShrink: box)
                rowsBoxed.consume(whole)
                let boxedExpected = rowsBoxed.finish()
                let shrinker = InterlacedBoxShrinker(sourceWidth: whole.width, sourceHeight: whole.height,
                                                     channels: whole.channels, boxShrink: box, horizontal: bh, vertical: bv)
                try PNGDecoder(path: Fixtures.path(file), maxDimension: 1 << 20, deinterlace: false).readPassRows { row, place in
                    shrinker.consume(row: row, at: place)
                }
                let boxedGot = shrinker.finish()
                let boxedWorst = zip(boxedGot.pixels, boxedExpected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(boxedWorst <= 1, "\(file) \(w)x\(h) boxed: off by \(boxedWorst)")
            }
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
