import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct GIFSourceTests {
    /// Pillow's test GIFs (transparency, frame extents, no palette, comments, animations) and a
    /// corpus photo made into GIFs by ImageMagick and gifsicle (plain, interlaced, transparent, a
    /// frame smaller than its screen); issue_2811.gif is left out (see the damaged-file test).
    static let files = Fixtures.files(in: "gif", ending: ".gif").filter { !$0.hasSuffix("issue_2811.gif") }

    func open(_ file: String) throws -> GIFSource {
        try GIFSource(path: Fixtures.path(file), handles: CodecHandles(), fingerprinting: false)
    }

    @Test func theFirstFrameDecodesExactlyAsPillowDecodesIt() throws {
        #expect(Self.files.count >= 10)
        let reference = try PillowDecode.decode(Self.files)
        for file in Self.files {
            let expected = try #require(reference[file], "Pillow decodes \(file)")
            let source = try open(file)
            let image = try source.decodeWhole()
            #expect(source.header.frameCount == expected.frames, "\(file) frames")
            #expect(image.channels == expected.image.channels && source.header.channels == image.channels, "\(file) channels")
            guard image.width == expected.image.width && image.height == expected.image.height && image.channels == expected.image.channels else {
                Issue.record("\(file): \(image.width)x\(image.height)x\(image.channels), Pillow \(expected.image.width)x\(expected.image.height)x\(expected.image.channels)")
                continue
            }
            #expect(image.largestDifference(from: expected.image) == 0, "\(file)")
        }
    }

    @Test func transparencyAndTheScreenOutsideTheFrameBecomeAlpha() throws {
        #expect(try open("gif/photo.gif").header.channels == 3)
        let transparent = try open("gif/photo-transparent.gif")
        #expect(transparent.header.channels == 4)
        let pixels = try transparent.decodeWhole()
        // The alpha ramp was cut at half: the left columns transparent, the right opaque.
        #expect(pixels[5, 100, 3] == 0 && pixels[290, 100, 3] == 255)
        // A 200x120 frame at 50,40 on a 300x200 screen without a transparent index.
        let offset = try open("gif/photo-offset-frame.gif")
        #expect(offset.header.width == 300 && offset.header.height == 200 && offset.header.channels == 4)
        let screen = try offset.decodeWhole()
        for (x, y) in [(0, 0), (49, 100), (250, 100), (100, 39), (100, 160), (299, 199)] {
            #expect(screen[x, y, 3] == 0, "(\(x),\(y)) is outside the frame")
        }
        for (x, y) in [(50, 40), (249, 159), (150, 100)] {
            #expect(screen[x, y, 3] == 255, "(\(x),\(y)) is inside the frame")
        }
        // The frame's pixels are the uncropped photo's at the same place.
        let photo = try open("gif/photo.gif").decodeWhole()
        #expect(screen[150, 100, 0] == photo[140, 90, 0] && screen[150, 100, 1] == photo[140, 90, 1])
    }

    /// Interlaced rows arrive in pass order and go to the reducers that take rows in any order:
    /// the same picture and the same thumbnails as the plain file.
    @Test func anInterlacedGIFDecodesAndReducesLikeThePlainOne() throws {
        let plain = try open("gif/photo.gif")
        let interlaced = try open("gif/photo-interlaced.gif")
        #expect(try interlaced.decodeWhole() == plain.decodeWhole())
        for (box, sigma) in [(BoxSize(width: 50, height: 50), 0.0), (BoxSize(width: 120, height: 90), 2.0), (BoxSize(width: 7, height: 7), 1.0)] {
            let plan = ShrinkPlan.make(sourceWidth: 300, sourceHeight: 200, box: box, blurSigma: sigma, transposed: false,
                                       shrinkOnLoad: .wholeBox)
            let a = try open("gif/photo.gif").reduce(into: [plan])[0]
            let b = try open("gif/photo-interlaced.gif").reduce(into: [plan])[0]
            #expect(a.width == b.width && a.height == b.height)
            #expect(a.largestDifference(from: b) <= 1, "\(box)")
        }
    }

    @Test func truncatedAndDamagedGIFsFailWithAReason() throws {
        let bytes = try FileIO.readAll(path: Fixtures.path("gif/photo.gif"))
        let folder = Fixtures.temporaryFolder()
        for cut in [8, 20, 800, bytes.count / 2, bytes.count - 10] {
            let path = folder + "/cut\(cut).gif"
            try FileIO.writeAtomically(Array(bytes.prefix(cut)), to: path)
            #expect(throws: CodecError.self, "cut at \(cut)") {
                let source = try GIFSource(path: path, handles: CodecHandles(), fingerprinting: false)
                _ = try source.decodeWhole()
            }
            do {
                let source = try GIFSource(path: path, handles: CodecHandles(), fingerprinting: false)
                _ = try source.decodeWhole()
            } catch {
                if case .truncated = error {} else { Issue.record("cut at \(cut): \(error)") }
            }
        }
        // An LZW code size of 11 (Pillow reads it; giflib refuses codes over 8 bits).
        #expect(throws: CodecError.self) { _ = try open("gif/issue_2811.gif").decodeWhole() }
    }

    @Test func gifsAreSniffedByContentAndWrittenAsJPEGOrPNG() throws {
        #expect(ImageFormat.sniff(Array("GIF89a".utf8) + [1, 0]) == .gif)
        #expect(ImageFormat.sniff(Array("GIF87a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Array("GIF88a".utf8)) == nil)
        #expect(ImageFormat.gif.entry.encoder == nil)
        #expect(ThumbnailRenderer.outputFormat(nil, source: ImageFormat.gif.entry, hasAlpha: false) == .jpeg)
        #expect(ThumbnailRenderer.outputFormat(nil, source: ImageFormat.gif.entry, hasAlpha: true) == .png)
    }

    @Test func framesAreCountedWithoutDecoding() {
        // Screen descriptor, no colour table, two 1x1 images, trailer.
        let image: [UInt8] = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]
        let gif = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0] + image + [0x21, 0xFE, 1, 0x41, 0] + image + [0x3B]
        #expect(GIFFrameCounter.count(gif) == 2)
        #expect(GIFFrameCounter.count(Array(gif.prefix(gif.count - 8))) == 1)
    }
}
