import Foundation
import Testing
@testable import ThumbnailKit

@Suite struct HEIFSourceTests {
    /// The fixtures both libheif and heif-convert decode (made by make-fixtures.sh and taken
    /// from pillow-heif's test images).
    static let decodable = [
        "landscape.heic", "landscape-avif.avif", "alpha.heic", "alpha-avif.avif", "monkey-10bit.heic",
        "monkey-10bit-avif.avif", "portrait-irot-imir.avif", "grid-2x2.avif",
        "pillow-heif-RGB_8__29x100.heif", "pillow-heif-RGBA_10__29x100.heif", "pillow-heif-RGB_12__29x100.heif",
        "pillow-heif-L_8__29x100.heif", "pillow-heif-LA_8__29x100.heif", "pillow-heif-RGB_8_chroma444.heif",
        "pillow-heif-transform_mismatch_thumbnail.heic", "pillow-heif-crop_mismatch_thumbnail.heic",
    ]

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("heif/" + name))))
    }

    static func source(_ name: String) throws -> HEIFSource {
        let path = Fixtures.path("heif/" + name)
        let entry = try #require(FormatTable.sniff(try FileIO.readPrefix(path: path, count: FormatTable.sniffLength)))
        return try #require(try entry.source.init(path: path, handles: CodecHandles(), fingerprinting: false) as? HEIFSource)
    }

    @Test func brandsTellHEICFromAVIF() throws {
        #expect(ImageFormat.sniff(try Self.bytes("landscape.heic")) == .heic)
        #expect(ImageFormat.sniff(try Self.bytes("pillow-heif-RGB_8__29x100.heif")) == .heic)
        #expect(ImageFormat.sniff(try Self.bytes("landscape-avif.avif")) == .avif)
        #expect(ImageFormat.sniff(try Self.bytes("grid-2x2.avif")) == .avif)
        func ftyp(_ major: String, _ compatible: [String]) -> [UInt8] {
            let size = 16 + 4 * compatible.count
            return [0, 0, 0, UInt8(size)] + Array("ftyp".utf8) + Array(major.utf8) + [0, 0, 0, 0]
                + compatible.flatMap { Array($0.utf8) }
        }
        // A generic major brand: the compatible brands decide, AVIF's before the shared mif1.
        #expect(ImageFormat.sniff(ftyp("mif1", ["mif1", "avif", "miaf"])) == .avif)
        #expect(ImageFormat.sniff(ftyp("mif1", ["mif1", "heic"])) == .heic)
        #expect(ImageFormat.sniff(ftyp("msf1", ["hevc"])) == .heic)
        #expect(ImageFormat.sniff(ftyp("avis", ["msf1"])) == .avif)
        // MP4 video and QuickTime are ISO BMFF too, and no image.
        #expect(ImageFormat.sniff(ftyp("isom", ["isom", "mp41"])) == nil)
        #expect(ImageFormat.sniff(ftyp("qt  ", [])) == nil)
        // Brands past the box's own size are not the box's.
        var short = ftyp("isom", ["avif"])
        short[3] = 16
        #expect(ImageFormat.sniff(short) == nil)
        #expect(ImageFormat.sniff(Array("....ftypav".utf8)) == nil)
    }

    @Test func headersGiveTheUprightSizeAlphaAndProfile() throws {
        let landscape = try Self.source("landscape.heic").header
        #expect(landscape == ImageHeader(width: 640, height: 426, channels: 3))
        #expect(try Self.source("alpha-avif.avif").header == ImageHeader(width: 400, height: 266, channels: 4))
        // Stored as the 300x450 portrait, shown rotated a quarter turn by irot: upright 450x300,
        // and libheif applies the turn, so there is no orientation left to apply.
        let turned = try Self.source("portrait-irot-imir.avif").header
        #expect(turned.width == 450 && turned.height == 300 && turned.orientation == 1)
        // monkey16.png's ICC profile, carried by heif-enc and avifenc into `colr`.
        let png = try PNGDecoder(path: Fixtures.path("jpeg/monkey16.png"), maxDimension: 1 << 20)
        let profile = try #require(png.iccProfile)
        #expect(try Self.source("monkey-10bit.heic").header.iccProfile == profile)
        #expect(try Self.source("monkey-10bit-avif.avif").header.iccProfile == profile)
        // A grid is one image (its tiles are not counted); a thumbnail item is not an image either.
        #expect(try Self.source("grid-2x2.avif").header.frameCount == 1)
        #expect(landscape.frameCount == 1)
        #expect(try Self.source("pillow-heif-zPug_3.heic").header.frameCount == 3)
    }

    /// Our decode of every fixture equals heif-convert's (the same libheif, so 8-bit files match
    /// exactly; 10- and 12-bit ones go to 8 bits by two roundings: within one level).
    @Test(arguments: decodable)
    func decodesLikeHeifConvert(_ name: String) throws {
        let ours = try Self.source(name).decodeWhole()
        let reference = try #require(try HEIFReference.heifConvert(Fixtures.path("heif/" + name))?.first)
        try #require(ours.width == reference.width && ours.height == reference.height && ours.channels == reference.channels,
                     "ours \(ours.width)x\(ours.height)x\(ours.channels), heif-convert \(reference.width)x\(reference.height)x\(reference.channels)")
        var worst = 0
        for i in 0..<ours.pixels.count { worst = max(worst, abs(Int(ours.pixels[i]) - Int(reference.pixels[i]))) }
        #expect(worst <= 1, "largest difference \(worst)")
    }

    /// zPug_3.heic holds three top-level images; the primary (item 6) is the second.
    @Test func decodesThePrimaryImageOnly() throws {
        let ours = try Self.source("pillow-heif-zPug_3.heic").decodeWhole()
        let all = try #require(try HEIFReference.heifConvert(Fixtures.path("heif/pillow-heif-zPug_3.heic")))
        try #require(all.count == 3)
        #expect(ours == all[1])
        #expect(ours != all[0])
    }

    /// The AVIF stored sideways with irot 1 and imir 1 decodes turned upright.
    @Test func irotAndImirAreApplied() throws {
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        let turned = try renderer.decodeWhole(Fixtures.path("heif/portrait-irot-imir.avif"))
        let reference = try #require(try HEIFReference.avifdec(Fixtures.path("heif/portrait-irot-imir.avif")))
        // avifdec ignores irot/imir: it gives the stored 300x450 portrait. Turned back by hand
        // (irot 1 is a quarter turn anticlockwise, applied before imir 1, a left-right mirror),
        // it must be our upright image.
        #expect(reference.width == 300 && reference.height == 450)
        #expect(turned.width == 450 && turned.height == 300)
        var expected = PixelBuffer(width: 450, height: 300, channels: 3)
        var unturned = PixelBuffer(width: 450, height: 300, channels: 3)
        for y in 0..<300 {
            for x in 0..<450 {
                // Rotated anticlockwise then mirrored left-right: shown (x, y) is stored
                // (299 - y, 449 - x). Unturned: the stored pixels read row by row as if upright.
                for c in 0..<3 {
                    expected[x, y, c] = reference[299 - y, 449 - x, c]
                    unturned[x, y, c] = reference.pixels[(y * 450 + x) * 3 + c]
                }
            }
        }
        // avifdec turns YUV into RGB its own way (libyuv): close, not equal.
        #expect(psnr(turned, expected) > 40)
        #expect(psnr(turned, unturned) < 20)
    }

    /// The 2x2 grid was cut from the top 424 rows of the photo landscape-avif.avif holds whole:
    /// assembled, it is that photo (each encoded on its own: close, not equal), seams included.
    @Test func gridsAreAssembledFromTheirTiles() throws {
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        let grid = try renderer.decodeWhole(Fixtures.path("heif/grid-2x2.avif"))
        let whole = try renderer.decodeWhole(Fixtures.path("heif/landscape-avif.avif"))
        #expect(grid.width == 640 && grid.height == 424)
        let top = PixelBuffer(width: 640, height: 424, channels: 3, pixels: Array(whole.pixels[..<(640 * 424 * 3)]))
        #expect(psnr(grid, top) > 35)
        // Each tile in its place: the rows and columns either side of the seams match too.
        func band(_ image: PixelBuffer, rows: Range<Int>) -> PixelBuffer {
            PixelBuffer(width: 640, height: rows.count, channels: 3, pixels: Array(image.pixels[(rows.lowerBound * 1920)..<(rows.upperBound * 1920)]))
        }
        #expect(psnr(band(grid, rows: 200..<224), band(top, rows: 200..<224)) > 33)
        let thumbnail = try #require(try renderer.thumbnails(of: Fixtures.path("heif/grid-2x2.avif"), boxes: [BoxSize(width: 64, height: 64)]).first)
        #expect(thumbnail.width == 64 && thumbnail.height == 42)
    }

    /// Cut anywhere, a HEIC or AVIF fails with a reason (never a crash, never a thumbnail of
    /// half an image called ok).
    @Test(arguments: ["landscape.heic", "alpha-avif.avif", "grid-2x2.avif"])
    func truncatedFilesFail(_ name: String) throws {
        let bytes = try Self.bytes(name)
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        for cut in [12, 40, 200, bytes.count / 3, bytes.count / 2, bytes.count - 100, bytes.count - 1] {
            let path = folder + "/cut-\(cut)"
            try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: path))
            #expect(throws: CodecError.self, "cut at \(cut) of \(bytes.count)") {
                _ = try renderer.thumbnails(of: path, boxes: [BoxSize(width: 50, height: 50)])
            }
        }
        // Where the image data is cut, libheif says so: truncated.
        let path = folder + "/cut-tail"
        try Data(bytes[..<(bytes.count - 100)]).write(to: URL(fileURLWithPath: path))
        do {
            _ = try renderer.thumbnails(of: path, boxes: [BoxSize(width: 50, height: 50)])
        } catch {
            guard case .truncated = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func damagedFilesFailWithLibheifsReason() throws {
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        #expect(throws: CodecError.badHeader("Invalid input: No 'meta' box")) {
            _ = try renderer.thumbnails(of: Fixtures.path("heif/pillow-heif-corrupted.heic"), boxes: [BoxSize(width: 50, height: 50)])
        }
        // The meta box renamed: the file still sniffs as HEIC, and fails by its header.
        var bytes = try Self.bytes("landscape.heic")
        let meta = try #require(Self.find(Array("meta".utf8), in: bytes))
        bytes[meta] = UInt8(ascii: "x")
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/damaged.heic"))
        #expect(throws: CodecError.self) {
            _ = try renderer.thumbnails(of: folder + "/damaged.heic", boxes: [BoxSize(width: 50, height: 50)])
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
