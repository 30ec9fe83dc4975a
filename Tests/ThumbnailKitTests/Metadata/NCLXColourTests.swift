import Foundation
import Testing
@testable import ThumbnailKit

/// The ICC profiles made from `nclx` code points: which get one, and that converting through them
/// gives the colours H.273's primaries and transfer curves define.
@Suite struct NCLXColourTests {
    func colour(_ primaries: Int, _ transfer: Int) -> NCLXColour {
        NCLXColour(primaries: primaries, transfer: transfer, matrix: 6, fullRange: true)
    }

    /// `pixels` (RGB) converted to sRGB through the profile of `primaries`/`transfer`.
    func converted(_ primaries: Int, _ transfer: Int, _ pixels: [UInt8]) throws -> [UInt8] {
        let profile = try #require(colour(primaries, transfer).iccProfile, "\(primaries)/\(transfer) has a profile")
        let image = PixelBuffer(width: pixels.count / 3, height: 1, channels: 3, pixels: pixels)
        return try #require(SRGBConversion().toSRGB(image, from: profile)).pixels
    }

    static func srgbEncode(_ linear: Double) -> Double {
        linear <= 0.0031308 ? 12.92 * linear : 1.055 * Foundation.pow(linear, 1 / 2.4) - 0.055
    }

    static func srgbDecode(_ v: Double) -> Double {
        v <= 0.04045 ? v / 12.92 : Foundation.pow((v + 0.055) / 1.055, 2.4)
    }

    @Test func colourBrowsersShowAsSRGBGetNoProfile() {
        // BT.709 (or unspecified) primaries with the sRGB curve, or a BT.709-family curve.
        for (p, t) in [(1, 13), (2, 2), (2, 13), (1, 2), (1, 1), (1, 6), (1, 14), (1, 15)] {
            #expect(colour(p, t).isSRGB, "\(p)/\(t)")
            #expect(colour(p, t).iccProfile == nil, "\(p)/\(t)")
        }
        // The matrix and the range do not matter: libheif and libavif applied them.
        #expect(NCLXColour(primaries: 1, transfer: 13, matrix: 9, fullRange: false).iccProfile == nil)
    }

    @Test func curvesWithoutAnICCCounterpartAreLeftUnconverted() {
        // PQ and HLG (HDR: would need tone mapping), the log curves, SMPTE ST 428, reserved values;
        // the XYZ primaries (10) and reserved primaries.
        for (p, t) in [(9, 16), (9, 18), (12, 16), (1, 16), (1, 18), (9, 9), (9, 10), (9, 17), (9, 3), (9, 99), (10, 13), (3, 13), (0, 13), (99, 13)] {
            #expect(colour(p, t).iccProfile == nil, "\(p)/\(t)")
        }
    }

    @Test func theSameCodePointsGiveTheSameBytesAndDifferentOnesDiffer() throws {
        let p3 = try #require(colour(12, 13).iccProfile)
        #expect(colour(12, 13).iccProfile == p3)
        #expect(Array(p3[36..<40]) == Array("acsp".utf8) && Array(p3[16..<20]) == Array("RGB ".utf8))
        #expect(p3[8] == 4, "a version 4 profile")
        #expect(Array(p3[24..<36]) == [0x07, 0xE4, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0], "the fixed creation date")
        #expect(Array(p3[84..<100]) == [UInt8](repeating: 0, count: 16))
        #expect(Int(p3[0]) << 24 | Int(p3[1]) << 16 | Int(p3[2]) << 8 | Int(p3[3]) == p3.count)
        #expect(colour(9, 13).iccProfile != p3)
        #expect(colour(12, 8).iccProfile != p3)
        #expect(ICCProfile.fits(p3, colorChannels: 3))
    }

    @Test func displayP3ConvertsAsTheDisplayP3TestProfileDoes() throws {
        // Tests/Fixtures/icc/display-p3.icc: DCI-P3 primaries, D65, the sRGB curve, made by the
        // ICC fixtures' script with the same Little CMS calls from published values.
        let reference = try FileIO.readAll(path: Fixtures.path("icc/display-p3.icc"))
        let pixels = (0..<(3 * 600)).map { UInt8(truncatingIfNeeded: ($0 * 37 + $0 / 3 * 11) % 256) }
        let ours = try converted(12, 13, pixels)
        let theirs = try #require(SRGBConversion().toSRGB(PixelBuffer(width: 600, height: 1, channels: 3, pixels: pixels), from: reference))
        let worst = zip(ours, theirs.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 1, "worst difference \(worst)")
        // P3's pure red is outside sRGB: clipped to red. Its gray stays gray.
        let red = try converted(12, 13, [255, 0, 0, 128, 128, 128])
        #expect(red[0] == 255 && red[1] < 8 && red[2] < 8 && red[3...].allSatisfy { abs(Int($0) - 128) <= 1 }, "\(red)")
    }

    @Test func bt2020GoesThroughItsPrimariesMatrix() throws {
        // BT.2020 -> BT.709 linear RGB (both D65), from the primaries (ITU-R BT.2087's matrix).
        let m = [[1.6605, -0.5876, -0.0728], [-0.1246, 1.1329, -0.0083], [-0.0182, -0.1006, 1.1187]]
        var pixels: [UInt8] = []
        for r in stride(from: 60, through: 200, by: 35) {
            for g in stride(from: 70, through: 210, by: 35) { for b in stride(from: 50, through: 190, by: 35) { pixels += [UInt8(r), UInt8(g), UInt8(b)] } }
        }
        let ours = try converted(9, 13, pixels)
        var worst = 0
        for i in stride(from: 0, to: pixels.count, by: 3) {
            let linear = (0..<3).map { Self.srgbDecode(Double(pixels[i + $0]) / 255) }
            for c in 0..<3 {
                let mixed = min(max(m[c][0] * linear[0] + m[c][1] * linear[1] + m[c][2] * linear[2], 0), 1)
                worst = max(worst, abs(Int(ours[i + c]) - Int((Self.srgbEncode(mixed) * 255).rounded())))
            }
        }
        #expect(worst <= 2, "worst difference \(worst)")
        // Saturated BT.2020 green is far outside sRGB: clipped, red and blue gone.
        let green = try converted(9, 13, [0, 255, 0])
        #expect(green[1] == 255 && green[0] < 8 && green[2] < 8, "\(green)")
    }

    @Test func gammaAndLinearTransfersAreTheirCurves() throws {
        let levels = (0...255).flatMap { [UInt8($0), UInt8($0), UInt8($0)] }
        for (transfer, curve) in [(4, { (v: Double) in Foundation.pow(v, 2.2) }), (5, { Foundation.pow($0, 2.8) }), (8, { $0 })] {
            // BT.709 primaries: only the curve differs from sRGB.
            #expect(!colour(1, transfer).isSRGB)
            let ours = try converted(1, transfer, levels)
            for v in stride(from: 0, through: 255, by: 15) {
                let expected = Int((Self.srgbEncode(curve(Double(v) / 255)) * 255).rounded())
                #expect((0..<3).allSatisfy { abs(Int(ours[3 * v + $0]) - expected) <= 2 }, "transfer \(transfer), level \(v): \(ours[3 * v])")
            }
        }
    }

    @Test func anotherWhiteIsAdaptedToSRGBsWhite() throws {
        // BT.470 M and generic film have illuminant C's white, DCI-P3 its own greenish one:
        // converted relative colorimetrically, their white is sRGB's.
        for primaries in [4, 8, 11] {
            let white = try converted(primaries, 13, [255, 255, 255])
            #expect(white.allSatisfy { $0 >= 253 }, "\(primaries): \(white)")
        }
    }
}
