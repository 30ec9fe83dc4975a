import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct TIFFSourceTests {
    /// Pillow's test TIFFs (planar, tiled, YCbCr JPEG, CMYK JPEG, 16-bit RGBa, 1-bit G4, 4-bit
    /// gray, BigTIFF, multi-page, orientation) and a corpus photo made into TIFFs by ImageMagick
    /// (LZW, tiled Deflate, 16-bit, CMYK, min-is-white, tiled 16-bit gray, associated and
    /// unassociated alpha, palette PackBits, JPEG, Orientation 6). The crash file is left out.
    static let files = (Fixtures.files(in: "tiff", ending: ".tif") + Fixtures.files(in: "tiff", ending: ".tiff"))
        .filter { !$0.contains("/crash-") }.sorted()

    func open(_ file: String) throws -> TIFFSource {
        try TIFFSource(path: Fixtures.path(file), handles: CodecHandles(), fingerprinting: false)
    }

    /// Pillow applies the Orientation tag when it loads a TIFF; the source reports it instead
    /// (the renderer turns the small thumbnail upright), so it is applied here to compare.
    @Test func theFirstPageDecodesAsPillowDecodesIt() throws {
        #expect(Self.files.count >= 20)
        let reference = try PillowDecode.decode(Self.files)
        for file in Self.files {
            let expected = try #require(reference[file], "Pillow decodes \(file)")
            let source = try open(file)
            let image = try source.decodeWhole().oriented(source.header.orientation).asRGB
            #expect(source.header.frameCount == expected.frames, "\(file) pages")
            #expect(source.header.iccProfile == expected.iccProfile, "\(file) ICC profile")
            guard image.width == expected.image.width && image.height == expected.image.height && image.channels == expected.image.channels else {
                Issue.record("\(file): \(image.width)x\(image.height)x\(image.channels), Pillow \(expected.image.width)x\(expected.image.height)x\(expected.image.channels)")
                continue
            }
            // 16-bit samples: rounded here, the high byte in Pillow; associated alpha divided out.
            #expect(image.largestDifference(from: expected.image) <= 2, "\(file)")
        }
    }

    @Test func theHeaderSaysChannelsOrientationAndPages() throws {
        let cases: [(String, Int, Int, Int)] = [
            ("tiff/photo-lzw.tif", 3, 1, 1), ("tiff/photo-gray-miniswhite.tif", 1, 1, 1), ("tiff/photo-gray16-tiled.tif", 1, 1, 1),
            ("tiff/photo-cmyk.tif", 3, 1, 1), ("tiff/photo-alpha-associated.tif", 4, 1, 1), ("tiff/photo-alpha-unassociated.tif", 4, 1, 1),
            ("tiff/photo-palette-packbits.tif", 3, 1, 1), ("tiff/photo-orientation-6.tif", 3, 6, 1), ("tiff/g4_orientation_6.tif", 1, 6, 1),
            ("tiff/hopper_g4.tif", 1, 1, 1), ("tiff/multipage.tiff", 3, 1, 3), ("tiff/tiff_16bit_RGBa.tiff", 4, 1, 1),
        ]
        for (file, channels, orientation, pages) in cases {
            let header = try open(file).header
            #expect(header.channels == channels && header.orientation == orientation && header.frameCount == pages, "\(file): \(header)")
        }
        #expect(try open("tiff/photo-orientation-6.tif").header.width == 300)
    }

    /// The same photo stored every way decodes to nearly the same pixels.
    @Test func everyStorageOfThePhotoGivesThePhoto() throws {
        let plain = try open("tiff/photo-lzw.tif").decodeWhole()
        for (file, tolerance) in [("tiff/photo-tiled-deflate.tif", 0), ("tiff/photo-16bit.tif", 1), ("tiff/photo-jpeg.tif", 40)] {
            let image = try open(file).decodeWhole()
            #expect(image.largestDifference(from: plain) <= tolerance, "\(file)")
            #expect(psnr(image, plain) >= 35, "\(file)")
        }
        let upright = try open("tiff/photo-orientation-6.tif")
        #expect(try upright.decodeWhole().oriented(6) == plain.oriented(6))
    }

    @Test func truncatedAndDamagedTIFFsFailWithAReason() throws {
        let folder = Fixtures.temporaryFolder()
        for fixture in ["tiff/photo-lzw.tif", "tiff/photo-tiled-deflate.tif"] {
            let bytes = try FileIO.readAll(path: Fixtures.path(fixture))
            for cut in [3, 100, bytes.count / 2, bytes.count - 300] {
                let path = folder + "/cut\(cut).tif"
                try FileIO.writeAtomically(Array(bytes.prefix(cut)), to: path)
                #expect(throws: CodecError.self, "\(fixture) cut at \(cut)") {
                    _ = try TIFFSource(path: path, handles: CodecHandles(), fingerprinting: false).decodeWhole()
                }
            }
        }
        // One of Pillow's crash files: strip offsets past the end.
        #expect(throws: CodecError.self) {
            _ = try open("tiff/crash-0e16d3bfb83be87356d026d66919deaefca44dac.tif").decodeWhole()
        }
    }

    @Test func aReadFailureGivesLibtiffsReason() throws {
        var bytes = try FileIO.readAll(path: Fixtures.path("tiff/photo-lzw.tif"))
        // The IFD offset pointed past the end of the file.
        bytes[4] = 0xFF; bytes[5] = 0xFF; bytes[6] = 0xFF; bytes[7] = 0x7F
        let path = Fixtures.temporaryFolder() + "/ifd.tif"
        try FileIO.writeAtomically(bytes, to: path)
        do {
            _ = try TIFFSource(path: path, handles: CodecHandles(), fingerprinting: false)
            Issue.record("opened a TIFF whose directory is past its end")
        } catch {
            #expect(error.description.contains("libtiff: "), "\(error)")
        }
    }

    @Test func tiffsAreSniffedByContent() {
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]) == .tiff)
        #expect(ImageFormat.sniff([0x4D, 0x4D, 0x00, 0x2A]) == .tiff)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2B, 0x00]) == .tiff)
        #expect(ImageFormat.sniff([0x49, 0x49, 0x2A, 0x01]) == nil)
        #expect(ImageFormat.tiff.nameExtensions == ["tif", "tiff"] && ImageFormat.tiff.entry.encoder == nil)
    }
}
