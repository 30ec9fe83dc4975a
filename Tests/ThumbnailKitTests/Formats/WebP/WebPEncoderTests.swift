import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct WebPEncoderTests {
    func gradient(channels: Int) -> PixelBuffer {
        var image = PixelBuffer(width: 64, height: 40, channels: channels)
        for y in 0..<40 {
            for x in 0..<64 {
                for c in 0..<channels { image[x, y, c] = UInt8(x * 2 + y + c * 20) }
            }
        }
        return image
    }

    func decode(_ bytes: [UInt8]) throws -> (WebPSource, PixelBuffer) {
        let path = Fixtures.temporaryFolder() + "/x.webp"
        try FileIO.writeAtomically(bytes, to: path)
        let source = try WebPSource(path: path, handles: CodecHandles(), fingerprinting: false)
        return (source, try source.decodeWhole())
    }

    @Test(arguments: [3, 4])
    func losslessRoundTripsExactly(channels: Int) throws {
        let image = gradient(channels: channels)
        let bytes = try WebPEncoder.encode(image, quality: 75, lossless: true)
        #expect(ImageFormat.sniff(bytes) == .webp)
        #expect(bytes[12..<16].elementsEqual("VP8L".utf8) || bytes[12..<16].elementsEqual("VP8X".utf8))
        #expect(try decode(bytes).1 == image)
    }

    @Test(arguments: [1, 2])
    func grayIsWrittenAsRGB(channels: Int) throws {
        let image = gradient(channels: channels)
        let back = try decode(try WebPEncoder.encode(image, quality: 75, lossless: true)).1
        #expect(back.channels == channels + 2)
        for (x, y) in [(0, 0), (30, 20), (63, 39)] {
            #expect(back[x, y, 0] == image[x, y, 0] && back[x, y, 1] == image[x, y, 0] && back[x, y, 2] == image[x, y, 0])
            if channels == 2 { #expect(back[x, y, 3] == image[x, y, 1]) }
        }
    }

    @Test func lossyKeepsAlphaAndFollowsQuality() throws {
        let image = gradient(channels: 4)
        let high = try WebPEncoder.encode(image, quality: 95, lossless: false)
        let low = try WebPEncoder.encode(image, quality: 10, lossless: false)
        #expect(low.count < high.count)
        let (source, back) = try decode(high)
        #expect(source.header.hasAlpha && back.channels == 4)
        #expect(psnr(back, image) > 35)
        // Deterministic: the same pixels and settings give the same bytes.
        #expect(try WebPEncoder.encode(image, quality: 95, lossless: false) == high)
    }

    @Test func theICCProfileTravelsInAnICCPChunkWhenItFits() throws {
        let profile = try FileIO.readAll(path: Fixtures.path("jpeg/test3.icc"))
        #expect(ICCProfile.fits(profile, colorChannels: 3))
        var spec = ThumbnailSpec()
        spec.quality = 90
        let encoder = WebPEncoder()
        let tagged = try encoder.encode(gradient(channels: 3), iccProfile: profile, spec: spec)
        let (source, back) = try decode(tagged)
        #expect(source.header.iccProfile == profile)
        #expect(back == (try decode(try encoder.encode(gradient(channels: 3), iccProfile: nil, spec: spec)).1))
        // A gray profile does not fit WebP's RGB: dropped.
        var gray = profile
        gray.replaceSubrange(16..<20, with: Array("GRAY".utf8))
        let untagged = try encoder.encode(gradient(channels: 1), iccProfile: gray, spec: spec)
        #expect(try decode(untagged).0.header.iccProfile == nil)
    }
}
