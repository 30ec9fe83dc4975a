import Foundation
import Testing
@testable import ThumbnailKit

/// Little CMS conversion to sRGB on tiny buffers with exact expectations: identity through sRGB,
/// a gamma profile's known mid-gray, alpha copied, unusable profiles refused.
@Suite struct SRGBConversionTests {
    static let sRGB = "/usr/share/color/icc/colord/sRGB.icc"

    func profile(_ relative: String) throws -> [UInt8] { try FileIO.readAll(path: Fixtures.path(relative)) }

    /// Every 8-bit level on each channel, and some mixtures.
    func ramp(channels: Int) -> PixelBuffer {
        PixelBuffer(width: 256, height: 2, channels: channels,
                    pixels: (0..<(512 * channels)).map { UInt8(truncatingIfNeeded: $0 / channels * (1 + $0 % channels)) })
    }

    @Test(.enabled(if: FileIO.status(sRGB) != nil)) func sRGBToSRGBChangesAlmostNothing() throws {
        let conversion = SRGBConversion()
        let image = ramp(channels: 3)
        let converted = try #require(conversion.toSRGB(image, from: try FileIO.readAll(path: Self.sRGB)))
        let worst = zip(image.pixels, converted.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 2)
    }

    @Test func displayP3PureRedIsOutOfSRGBAndClipsToRed() throws {
        let conversion = SRGBConversion()
        let red = PixelBuffer(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        let converted = try #require(conversion.toSRGB(red, from: try profile("icc/display-p3.icc")))
        #expect(converted.pixels[0] == 255 && converted.pixels[1] < 8 && converted.pixels[2] < 8, "\(converted.pixels)")
        // A mid-gray stays gray (same white, same tone curve).
        let gray = PixelBuffer(width: 1, height: 1, channels: 3, pixels: [128, 128, 128])
        let grayOut = try #require(conversion.toSRGB(gray, from: try profile("icc/display-p3.icc")))
        #expect(grayOut.pixels.allSatisfy { abs(Int($0) - 128) <= 1 }, "\(grayOut.pixels)")
    }

    @Test func grayStaysOneChannelThroughSRGBsToneCurve() throws {
        // Gamma 1.8 gray level v is linear (v/255)^1.8; sRGB encodes that linear value again.
        let gray = try FileIO.readAll(path: Fixtures.path("icc/garden-gray18.jpg"))
        let icc = try #require(ICCProfile.extract(jpeg: gray))
        let levels = PixelBuffer(width: 256, height: 1, channels: 1, pixels: (0...255).map { UInt8($0) })
        let converted = try #require(SRGBConversion().toSRGB(levels, from: icc))
        #expect(converted.channels == 1)
        for v in stride(from: 0, through: 255, by: 17) {
            let linear = Foundation.pow(Double(v) / 255, 1.8)
            let encoded = linear <= 0.0031308 ? 12.92 * linear : 1.055 * Foundation.pow(linear, 1 / 2.4) - 0.055
            #expect(abs(Int(converted.pixels[v]) - Int((encoded * 255).rounded())) <= 2, "level \(v): \(converted.pixels[v])")
        }
    }

    @Test func alphaIsCopiedUnchanged() throws {
        let conversion = SRGBConversion()
        for channels in [2, 4] {
            let image = ramp(channels: channels)
            let icc = channels == 2 ? try #require(ICCProfile.extract(jpeg: try profile("icc/garden-gray18.jpg")))
                                    : try profile("icc/display-p3.icc")
            let converted = try #require(conversion.toSRGB(image, from: icc), "\(channels) channels")
            let alpha = { (b: PixelBuffer) in stride(from: channels - 1, to: b.pixels.count, by: channels).map { b.pixels[$0] } }
            #expect(alpha(converted) == alpha(image), "\(channels) channels")
            #expect(converted.pixels != image.pixels)
        }
    }

    @Test func unusableProfilesGiveNil() throws {
        let conversion = SRGBConversion()
        let rgb = ramp(channels: 3), gray = ramp(channels: 1)
        let p3 = try profile("icc/display-p3.icc")
        #expect(conversion.toSRGB(rgb, from: []) == nil)
        #expect(conversion.toSRGB(rgb, from: Array(p3.prefix(100))) == nil)
        #expect(conversion.toSRGB(rgb, from: Array(p3.prefix(128)) + [UInt8](repeating: 0xFF, count: 64)) == nil)
        // A profile of another colour space than the pixels'.
        #expect(conversion.toSRGB(gray, from: p3) == nil)
        #expect(conversion.cmykToSRGB([0, 0, 0, 0], inverted: false, profile: p3) == nil)
        // Refused once, refused again (the failure is kept too), and a good one still works.
        #expect(conversion.toSRGB(rgb, from: []) == nil)
        #expect(conversion.toSRGB(rgb, from: p3) != nil)
    }

    @Test func cmykThroughAProfileAndTheInvertedConvention() throws {
        let conversion = SRGBConversion()
        let icc = try profile("jpeg/test1.icc")
        let plain: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 255, 255, 0, 0, 0]  // paper, black, cyan
        let inverted = plain.map { 255 - $0 }
        let rgb = try #require(conversion.cmykToSRGB(plain, inverted: false, profile: icc))
        #expect(rgb == conversion.cmykToSRGB(inverted, inverted: true, profile: icc))
        #expect(rgb[0] > 200 && rgb[1] > 200 && rgb[2] > 200, "paper is light: \(rgb)")
        #expect(rgb[3] < 80 && rgb[4] < 80 && rgb[5] < 80, "full black is dark: \(rgb)")
        #expect(rgb[6] < rgb[7] && rgb[6] < rgb[8], "cyan has less red than green and blue: \(rgb)")
    }

    @Test func theRenderingKeyTellsTheThreeModesApart() {
        var keys: Set<String> = []
        for mode in ICCMode.allCases {
            var spec = ThumbnailSpec()
            spec.icc = mode
            keys.insert(spec.renderingKey)
        }
        #expect(keys.count == 3)
        #expect(ThumbnailSpec().icc == .convert)
    }
}

extension SRGBConversionTests {
    /// More profiles than the cache holds, met again in turn: every answer stays right after the
    /// cache starts afresh (no transform is used after it was freed).
    @Test func manyProfilesInTurnGiveTheSameAnswers() throws {
        let conversion = SRGBConversion()
        let p3 = try profile("icc/display-p3.icc")
        let image = ramp(channels: 3)
        let expected = try #require(conversion.toSRGB(image, from: p3))
        for round in 0..<3 {
            for i in 0..<20 {
                // The same profile under another creator (header bytes 80-83): a different key, same transform.
                var variant = p3
                variant[80] = UInt8(i)
                #expect(conversion.toSRGB(image, from: variant) == expected, "round \(round) variant \(i)")
            }
            #expect(conversion.toSRGB(image, from: p3) == expected)
        }
    }
}
