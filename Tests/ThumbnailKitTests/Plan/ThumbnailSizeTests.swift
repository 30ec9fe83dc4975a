import Testing
@testable import ThumbnailKit

struct PillowSizeCase: Decodable, CustomTestStringConvertible {
    let width, height, boxWidth, boxHeight, expectedWidth, expectedHeight: Int
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        width = try c.decode(Int.self); height = try c.decode(Int.self)
        boxWidth = try c.decode(Int.self); boxHeight = try c.decode(Int.self)
        expectedWidth = try c.decode(Int.self); expectedHeight = try c.decode(Int.self)
    }
    var testDescription: String { "\(width)x\(height) in \(boxWidth)x\(boxHeight)" }
}

@Suite struct ThumbnailSizeTests {
    /// The table was made by Pillow's own Image.thumbnail (Tests/Fixtures/make-expectations.py).
    @Test func matchesPillowForEveryCaseInTheTable() throws {
        let cases = try Fixtures.json("pillow-thumbnail-sizes", as: [PillowSizeCase].self)
        #expect(cases.count > 1000)
        var mismatches: [String] = []
        for c in cases {
            let got = ThumbnailSize.fit(width: c.width, height: c.height,
                                        in: BoxSize(width: c.boxWidth, height: c.boxHeight))
            if got.width != c.expectedWidth || got.height != c.expectedHeight {
                mismatches.append("\(c.testDescription): got \(got.width)x\(got.height), Pillow \(c.expectedWidth)x\(c.expectedHeight)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test(arguments: [(1, 1), (5120, 2880), (2880, 5120), (1, 30000), (30000, 1), (333, 500)])
    func neverEnlargesAndKeepsTheBox(width: Int, height: Int) {
        for side in [1, 2, 50, 64, 256, 1000, 40000] {
            let got = ThumbnailSize.fit(width: width, height: height, in: BoxSize(width: side, height: side))
            #expect(got.width >= 1 && got.height >= 1)
            #expect(got.width <= max(width, 1) && got.height <= max(height, 1))
            #expect(got.width <= side || got.width == 1)
            #expect(got.height <= side || got.height == 1)
        }
    }

    @Test func oneSidedBoxesBoundOneSideOnly() {
        #expect(ThumbnailSize.fit(width: 4000, height: 1000, in: BoxSize(width: 200, height: nil)) == (200, 50))
        #expect(ThumbnailSize.fit(width: 4000, height: 1000, in: BoxSize(width: nil, height: 100)) == (400, 100))
        #expect(ThumbnailSize.fit(width: 100, height: 1000, in: BoxSize(width: 200, height: nil)) == (100, 1000))
    }

    @Test func parsesBoxes() {
        #expect(BoxSize(parsing: "50x50") == BoxSize(width: 50, height: 50))
        #expect(BoxSize(parsing: "200X") == BoxSize(width: 200, height: nil))
        #expect(BoxSize(parsing: "x120") == BoxSize(width: nil, height: 120))
        for bad in ["", "x", "50", "0x50", "50x0", "-5x5", "5x5x5", "axb", "70000x5", " 5x5"] {
            #expect(BoxSize(parsing: bad) == nil, "\(bad)")
        }
        #expect(BoxSize(parsing: "x120")?.description == "x120")
    }
}
