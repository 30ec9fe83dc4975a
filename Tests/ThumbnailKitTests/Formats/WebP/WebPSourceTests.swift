import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// WebP files made with cwebp and webpmux from corpus photos, and Pillow's WebP test images.
@Suite struct WebPSourceTests {
    func open(_ fixture: String) throws -> WebPSource {
        try WebPSource(path: Fixtures.path("webp/" + fixture), handles: CodecHandles(), fingerprinting: true)
    }

    @Test func headersSayWhatTheFilesHold() throws {
        let lossy = try open("photo-lossy.webp")
        #expect(lossy.header == ImageHeader(width: 901, height: 601, channels: 3))
        #expect(lossy.shrinkOnLoad == .anyScale)
        #expect(try open("photo-lossless.webp").header == ImageHeader(width: 300, height: 200, channels: 3))
        #expect(try open("alpha-lossy.webp").header.hasAlpha)
        #expect(try open("alpha-lossless.webp").header.channels == 4)
        // Pillow's flower2.webp carries a 3144-byte sRGB profile (and EXIF and XMP, not copied).
        let flower = try open("flower2.webp")
        let profile = try #require(flower.header.iccProfile)
        #expect(profile.count == 3144 && ICCProfile.fits(profile, colorChannels: 3))
        #expect(try open("hopper_orientation_6.webp").header.orientation == 6)
        let animation = try open("iss634.webp")
        #expect(animation.header.frameCount == 42 && animation.header.width == 245 && animation.shrinkOnLoad == .anyScale)
        // Its first frame covers only part of the canvas: composed at full size, then box-shrunk.
        let offset = try open("animated-offset.webp")
        #expect(offset.header.frameCount == 2 && offset.shrinkOnLoad == .wholeBox)
    }

    @Test func theScaledDecodeMatchesTheFullDecodeReduced() throws {
        // libwebp's rescaler, then Lanczos, against Lanczos from the full size: one picture.
        for fixture in ["photo-lossy.webp", "photo-lossless.webp", "alpha-lossy.webp", "alpha-lossless.webp"] {
            let source = try open(fixture)
            let plan = ShrinkPlan.make(sourceWidth: source.header.width, sourceHeight: source.header.height,
                                       box: BoxSize(width: 64, height: 64), blurSigma: 1, shrinkOnLoad: .anyScale)
            #expect(plan.scaledOnLoad && plan.decodedWidth < source.header.width)
            let scaled = try source.reduce(into: [plan])[0]
            let full = ShrinkPlan.make(sourceWidth: source.header.width, sourceHeight: source.header.height,
                                       box: BoxSize(width: 64, height: 64), blurSigma: 1, shrinkOnLoad: .none)
            let reducer = SeparableReducer(plan: full, channels: source.header.channels)
            reducer.consume(try self.open(fixture).decodeWhole())
            let reference = reducer.finish()
            #expect(scaled.width == reference.width && scaled.height == reference.height)
            // Over grey, as they are seen: colour under transparent pixels has no meaning.
            let grey = RGBColor(red: 128, green: 128, blue: 128)
            let score = psnr(scaled.flattened(onto: grey), reference.flattened(onto: grey))
            #expect(score > 40, "\(fixture): \(score) dB")
        }
    }

    @Test func severalSizesComeFromOneDecode() throws {
        let source = try open("photo-lossy.webp")
        let plans = [BoxSize(width: 50, height: 50), BoxSize(width: 300, height: 300)].map {
            ShrinkPlan.make(sourceWidth: 901, sourceHeight: 601, box: $0, blurSigma: 0, shrinkOnLoad: .anyScale)
        }
        let images = try source.reduce(into: plans)
        #expect(images.map(\.width) == [50, 300] && images.map(\.height) == [33, 200])
        let alone = try open("photo-lossy.webp").reduce(into: [plans[0]])[0]
        #expect(psnr(images[0], alone) > 40)
        #expect(try source.fingerprint() == FileIO.fingerprint(bytes: try FileIO.readAll(path: Fixtures.path("webp/photo-lossy.webp"))))
    }

    @Test func anOffsetFirstFrameIsComposedOnItsCanvas() throws {
        // Frame 1 (120x80 at 40,30) on a 240x160 canvas; libwebp leaves the rest transparent black,
        // and the file has no alpha, so it is black.
        let canvas = try open("animated-offset.webp").decodeWhole()
        #expect(canvas.width == 240 && canvas.height == 160 && canvas.channels == 3)
        #expect(canvas[5, 5, 0] == 0 && canvas[230, 150, 1] == 0)
        #expect(canvas.channelMeans[0] > 10)
        let first = try open("iss634.webp").decodeWhole()
        #expect(first.width == 245 && first.height == 245 && first.channels == 4)
    }

    @Test func truncatedAndDamagedFilesFailWithAReason() throws {
        let whole = try FileIO.readAll(path: Fixtures.path("webp/photo-lossy.webp"))
        let folder = Fixtures.temporaryFolder()
        for cut in [13, 40, whole.count / 3, whole.count - 10] {
            try FileIO.writeAtomically(Array(whole.prefix(cut)), to: folder + "/cut.webp")
            #expect(throws: CodecError.self, "cut at \(cut)") {
                let source = try WebPSource(path: folder + "/cut.webp", handles: CodecHandles(), fingerprinting: false)
                _ = try source.decodeWhole()
            }
        }
        // Cut inside the image data: the container is whole up to there, the bitstream is not.
        do {
            try FileIO.writeAtomically(Array(whole.prefix(whole.count / 2)), to: folder + "/half.webp")
            _ = try WebPSource(path: folder + "/half.webp", handles: CodecHandles(), fingerprinting: false).decodeWhole()
            Issue.record("a half file decoded")
        } catch {
            guard case .truncated = error else { Issue.record("\(error)"); return }
        }
        // A damaged frame header (VP8's key-frame start code 9D 01 2A) is refused.
        var badStart = whole
        let code = try #require(badStart.indices.first { badStart[$0] == 0x9D && badStart[$0 + 1] == 0x01 && badStart[$0 + 2] == 0x2A })
        badStart[code] = 0
        try FileIO.writeAtomically(badStart, to: folder + "/start.webp")
        #expect(throws: CodecError.self) {
            _ = try WebPSource(path: folder + "/start.webp", handles: CodecHandles(), fingerprinting: false).decodeWhole()
        }
        // Damaged coefficients are not detectable in lossy VP8 (no checksum; dwebp and Pillow show
        // them too): the image decodes whole, at its size.
        var damaged = whole
        for i in stride(from: 200, to: damaged.count - 20, by: 61) { damaged[i] ^= 0x5A }
        try FileIO.writeAtomically(damaged, to: folder + "/damaged.webp")
        do {
            let image = try WebPSource(path: folder + "/damaged.webp", handles: CodecHandles(), fingerprinting: false).decodeWhole()
            #expect(image.width == 901 && image.height == 601)
        } catch {
            #expect(error != .empty)
        }
    }
}
