import CWebP
import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// Our lossless WebP decoder (`VP8LDecoder`) against libwebp, the reference: VP8L is lossless, so
/// every pixel must be libwebp's, byte for byte, on cwebp/vips-made files of every kind (effort
/// levels, -exact, near-lossless, alpha, palettes of 2/4/16/256 colours with pixel bundling, odd
/// sizes), and damaged files must fail or give libwebp's pixels.
@Suite struct VP8LDecoderTests {
    static let fixtures: [String] = {
        let names = (FileIO.entries(of: Fixtures.path("webp/vp8l")) ?? []).filter { $0.hasSuffix(".webp") }.sorted()
        return names.map { "webp/vp8l/" + $0 } + ["webp/photo-lossless.webp", "webp/alpha-lossless.webp"]
    }()

    /// The whole image as RGBA from our decoder, straight from the bitstream.
    static func ourRGBA(_ path: String, range: Range<Int>) throws(CodecError) -> (Int, Int, [UInt8]) {
        let fd = try FileIO.openRegularFile(path)
        defer { close(fd) }
        let decoder = try VP8LDecoder(fd: fd, range: range)
        var rgba: [UInt8] = []
        rgba.reserveCapacity(decoder.width * decoder.height * 4)
        try decoder.decodeRows { row in
            for x in 0..<decoder.width {
                let p = row[x]
                rgba += [UInt8(truncatingIfNeeded: p >> 16), UInt8(truncatingIfNeeded: p >> 8), UInt8(truncatingIfNeeded: p),
                         UInt8(truncatingIfNeeded: p >> 24)]
            }
        }
        return (decoder.width, decoder.height, rgba)
    }

    /// libwebp's RGBA decode of a whole file (or of one frame's bitstream).
    static func libwebpRGBA(_ bytes: ArraySlice<UInt8>) -> (Int, Int, [UInt8])? {
        bytes.withUnsafeBufferPointer { input -> (Int, Int, [UInt8])? in
            var width: Int32 = 0, height: Int32 = 0
            guard let output = WebPDecodeRGBA(input.baseAddress, input.count, &width, &height) else { return nil }
            defer { WebPFree(output) }
            return (Int(width), Int(height), Array(UnsafeBufferPointer(start: output, count: Int(width * height * 4))))
        }
    }

    @Test(arguments: fixtures)
    func everyPixelIsLibwebps(_ fixture: String) throws {
        let path = Fixtures.path(fixture)
        let fd = try FileIO.openRegularFile(path)
        let container = try #require(WebPLosslessContainer.read(fd: fd), "\(fixture) is a still lossless WebP")
        close(fd)
        let ours = try Self.ourRGBA(path, range: container.bitstream)
        let reference = try #require(Self.libwebpRGBA(try FileIO.readAll(path: path)[...]))
        #expect(ours.0 == reference.0 && ours.1 == reference.1)
        #expect(ours.2 == reference.2, "\(fixture): \(zip(ours.2, reference.2).filter { $0 != $1 }.count) bytes differ, the first at pixel \((ours.2.indices.first { ours.2[$0] != reference.2[$0] } ?? 0) / 4)")
    }

    @Test(arguments: fixtures)
    func bothSourcesGiveOneImageAndOneThumbnail(_ fixture: String) throws {
        let path = Fixtures.path(fixture)
        let ours = try WebPSource(path: path, ownLossless: true)
        let libwebp = try WebPSource(path: path, ownLossless: false)
        #expect(ours.decodesLosslessItself && !libwebp.decodesLosslessItself)
        #expect(ours.header == libwebp.header)
        let whole = try libwebp.decodeWhole()
        #expect(try ours.decodeWhole() == whole)
        // Through the seam: our rows box-shrunk and resampled, against libwebp's full frame
        // reduced by the same plans.
        let plans = [BoxSize(width: 20, height: 20), BoxSize(width: 64, height: nil)].map {
            ShrinkPlan.make(sourceWidth: ours.header.width, sourceHeight: ours.header.height, box: $0, blurSigma: 0.5,
                            shrinkOnLoad: ours.shrinkOnLoad)
        }
        let thumbnails = try WebPSource(path: path, ownLossless: true).reduce(into: plans)
        for (plan, thumbnail) in zip(plans, thumbnails) {
            let reducer = SeparableReducer(plan: plan, channels: whole.channels)
            reducer.consume(whole)
            #expect(thumbnail == reducer.finish())
        }
        #expect(try ours.fingerprint() == FileIO.fingerprint(bytes: try FileIO.readAll(path: path)))
    }

    /// The extended format (VP8X): the chunk walker finds the profile, the EXIF orientation and
    /// the alpha flag as libwebp's demuxer does.
    @Test func theExtendedFormatsChunksAreRead() throws {
        let source = try WebPSource(path: Fixtures.path("webp/vp8l/extended-icc-exif.webp"), ownLossless: true)
        #expect(source.decodesLosslessItself)
        #expect(source.header.orientation == 6 && source.header.channels == 4)
        #expect(source.header.iccProfile == (try FileIO.readAll(path: Fixtures.path("icc/display-p3.icc"))))
    }

    /// An image of more pixels than the decoder's window holds (2.4 million against 1.6), so the
    /// window slides many times under copies reaching far back: made here with Pillow (libwebp)
    /// from a fixture photo tiled with noise bands, since such a file is too big to keep.
    @Test func aLargeImageSlidesItsWindowAndStaysExact() throws {
        let folder = Fixtures.temporaryFolder()
        let path = folder + "/large.webp"
        let script = """
            import sys
            import numpy as np
            from PIL import Image
            tile = np.array(Image.open(sys.argv[1]).convert("RGBA"))
            h, w = 1200, 2000
            image = np.tile(tile, (h // tile.shape[0] + 1, w // tile.shape[1] + 1, 1))[:h, :w].copy()
            rng = np.random.default_rng(7)
            image[300:340] = rng.integers(0, 256, size=(40, w, 4), dtype=np.uint8)
            image[700:1200:3, ::5, 3] = 128
            Image.fromarray(image, "RGBA").save(sys.argv[2], lossless=True, method=1)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, Fixtures.path("webp/alpha-lossless.webp"), path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let fd = try FileIO.openRegularFile(path)
        let container = try #require(WebPLosslessContainer.read(fd: fd))
        close(fd)
        let ours = try Self.ourRGBA(path, range: container.bitstream)
        let reference = try #require(Self.libwebpRGBA(try FileIO.readAll(path: path)[...]))
        #expect(ours.0 == 2000 && ours.1 == 1200 && ours.0 == reference.0 && ours.1 == reference.1)
        #expect(ours.2 == reference.2, "\(zip(ours.2, reference.2).filter { $0 != $1 }.count) bytes differ")
    }

    @Test func lossyAnimatedAndExtendedFilesKeepTheirPath() throws {
        for fixture in ["photo-lossy.webp", "alpha-lossy.webp", "iss634.webp", "animated-offset.webp", "flower2.webp"] {
            #expect(try !WebPSource(path: Fixtures.path("webp/" + fixture), ownLossless: true).decodesLosslessItself, "\(fixture)")
        }
    }

    /// The first frame of Pillow's animated iss634.webp is a VP8L bitstream inside an ANMF chunk:
    /// decoded alone by both.
    @Test func anAnimationFramesBitstreamDecodesAlike() throws {
        let path = Fixtures.path("webp/iss634.webp")
        let bytes = try FileIO.readAll(path: path)
        let frame = try WebPContainer(bytes).firstFrame
        guard bytes[frame].starts(with: "VP8L".utf8) else { return }
        let payload = (frame.lowerBound + 8)..<frame.upperBound
        let ours = try Self.ourRGBA(path, range: payload)
        let reference = try #require(Self.libwebpRGBA(bytes[frame]))
        #expect(ours.0 == reference.0 && ours.1 == reference.1 && ours.2 == reference.2)
    }

    /// Every outcome of a damaged file: an error, or (when libwebp decodes it too) libwebp's pixels.
    static func checkDamaged(_ bytes: [UInt8], at path: String, _ label: String) throws {
        try FileIO.writeAtomically(bytes, to: path)
        let ours: PixelBuffer?
        do {
            ours = try WebPSource(path: path, ownLossless: true).decodeWhole()
        } catch {
            ours = nil
        }
        guard let ours else { return }
        let reference = try? WebPSource(path: path, ownLossless: false).decodeWhole()
        #expect(reference == ours, "\(label): decoded, but not to libwebp's pixels")
    }

    @Test(arguments: ["webp/vp8l/photo-z6.webp", "webp/vp8l/alpha-exact.webp", "webp/vp8l/palette-16.webp",
                      "webp/vp8l/near-lossless.webp"])
    func truncatedFilesFailNamingWhy(_ fixture: String) throws {
        let original = try FileIO.readAll(path: Fixtures.path(fixture))
        let folder = Fixtures.temporaryFolder()
        var offsets = Array(stride(from: 0, to: original.count, by: max(1, original.count / 60)))
        offsets += [original.count - 1, original.count - 2, 21, 25, 30]
        for cut in offsets where cut < original.count {
            // The last bytes may hold only padding bits: a cut there can leave a whole image.
            let bitstreamCut = cut < original.count - 4
            // The RIFF size still says the whole file: libwebp's demuxer calls it truncated.
            try Self.checkDamaged(Array(original[..<cut]), at: folder + "/cut", "\(fixture) cut at \(cut)")
            // With sizes patched to the cut, the bitstream itself ends early: our decoder must say so.
            var patched = Array(original[..<cut])
            if cut >= 20 {
                let riff = UInt32(cut - 8), chunk = UInt32(cut - 20)
                for i in 0..<4 {
                    patched[4 + i] = UInt8(truncatingIfNeeded: riff >> (8 * i))
                    patched[16 + i] = UInt8(truncatingIfNeeded: chunk >> (8 * i))
                }
                guard bitstreamCut else {
                    try Self.checkDamaged(patched, at: folder + "/patched", "\(fixture) patched at \(cut)")
                    continue
                }
                try FileIO.writeAtomically(patched, to: folder + "/patched")
                #expect(throws: CodecError.self, "\(fixture) patched at \(cut)") {
                    try WebPSource(path: folder + "/patched", ownLossless: true).decodeWhole()
                }
            }
        }
    }

    @Test(arguments: ["webp/vp8l/photo-z0.webp", "webp/vp8l/photo-z9.webp", "webp/vp8l/alpha-z9.webp",
                      "webp/vp8l/palette-4.webp", "webp/vp8l/palette-256.webp", "webp/vp8l/vips-lossless.webp"])
    func mutatedFilesFailOrGiveLibwebpsPixels(_ fixture: String) throws {
        let original = try FileIO.readAll(path: Fixtures.path(fixture))
        var rng = SplitMix64(seed: StableHash.of(fixture).value)
        let folder = Fixtures.temporaryFolder()
        for round in 0..<150 {
            var bytes = original
            // Mostly inside the bitstream (past the 21-byte headers), where our decoder reads.
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: min(21, bytes.count - 1)..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                default: bytes[at] = [0x00, 0xFF][Int.random(in: 0..<2, using: &rng)]
                }
            }
            try Self.checkDamaged(bytes, at: folder + "/case", "\(fixture) round \(round)")
        }
    }
}
