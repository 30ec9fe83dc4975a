import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct AVIFEncoderTests {
    static func photo(alpha: Bool) throws -> PixelBuffer {
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        let name = alpha ? "heif/alpha.heic" : "heif/landscape.heic"
        return try #require(try renderer.thumbnails(of: Fixtures.path(name), boxes: [BoxSize(width: 160, height: 160)]).first)
    }

    /// Written to a file and read back through libheif (our decoder) and avifdec (libavif's).
    static func roundTrip(_ bytes: [UInt8]) throws -> (ours: PixelBuffer, avifdec: PixelBuffer, header: ImageHeader) {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/t.avif"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(ImageFormat.sniff(path: path) == .avif)
        let source = try AVIFSource(path: path, handles: CodecHandles(), fingerprinting: false)
        return (try source.decodeWhole(), try #require(try HEIFReference.avifdec(path)), source.header)
    }

    @Test func qualityMapsToTheQuantiserAsLibavifDoes() {
        #expect(AVIFEncoder.quantizer(forQuality: 100) == 0)
        #expect(AVIFEncoder.quantizer(forQuality: 75) == 16)
        #expect(AVIFEncoder.quantizer(forQuality: 50) == 32)
        #expect(AVIFEncoder.quantizer(forQuality: 1) == 62)
        let all = (1...100).map(AVIFEncoder.quantizer(forQuality:))
        #expect(zip(all, all.dropFirst()).allSatisfy { $0 >= $1 }, "higher quality never a coarser quantiser")
    }

    @Test(arguments: [false, true])
    func decodesToTheSamePictureAndMeanColour(alpha: Bool) throws {
        let image = try Self.photo(alpha: alpha)
        let bytes = try AVIFEncoder.encode(image, quality: 90, speed: 6)
        let (ours, avifdec, header) = try Self.roundTrip(bytes)
        #expect(header.hasAlpha == alpha)
        #expect(ours.width == image.width && ours.height == image.height && ours.channels == image.channels)
        #expect(avifdec.width == image.width && avifdec.channels == image.channels)
        #expect(psnr(ours, image) > 32)
        #expect(psnr(avifdec, image) > 32)
        // A wrong YUV range or matrix moves the mean colour by several levels.
        for (mine, theirs) in zip(avifdec.channelMeans, image.channelMeans) {
            #expect(abs(mine - theirs) < 2.5, "\(avifdec.channelMeans) vs \(image.channelMeans)")
        }
    }

    @Test func higherQualityIsCloserAndBigger() throws {
        let image = try Self.photo(alpha: false)
        let low = try AVIFEncoder.encode(image, quality: 30, speed: 6)
        let high = try AVIFEncoder.encode(image, quality: 95, speed: 6)
        #expect(high.count > low.count)
        #expect(psnr(try Self.roundTrip(high).ours, image) > psnr(try Self.roundTrip(low).ours, image) + 3)
    }

    @Test func sameInputGivesTheSameBytes() throws {
        let image = try Self.photo(alpha: true)
        let first = try AVIFEncoder.encode(image, quality: 75, speed: 6)
        for _ in 0..<3 { #expect(try AVIFEncoder.encode(image, quality: 75, speed: 6) == first) }
        #expect(try AVIFEncoder.encode(image, quality: 75, speed: 8) != first, "speed reaches the encoder")
    }

    @Test func iccProfileIsCarriedInColr() throws {
        let profile = try #require(try PNGDecoder(path: Fixtures.path("jpeg/monkey16.png"), maxDimension: 1 << 20).iccProfile)
        let image = try Self.photo(alpha: false)
        var spec = ThumbnailSpec()
        spec.quality = 80
        let tagged = try AVIFEncoder().encode(image, iccProfile: profile, spec: spec)
        #expect(try Self.roundTrip(tagged).header.iccProfile == profile)
        let untagged = try AVIFEncoder().encode(image, iccProfile: nil, spec: spec)
        #expect(try Self.roundTrip(untagged).header.iccProfile == nil)
    }

    @Test func grayIsStoredAsGray() throws {
        var gray = PixelBuffer(width: 64, height: 48, channels: 1)
        for y in 0..<48 { for x in 0..<64 { gray[x, y, 0] = UInt8((x * 4 + y) & 255) } }
        let bytes = try AVIFEncoder.encode(gray, quality: 95, speed: 6)
        let (ours, _, _) = try Self.roundTrip(bytes)
        #expect(psnr(ours, gray.widenedToRGB()) > 35)
    }
}
