import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct HEIFSourceTests {
    /// The fixtures both libheif and heif-convert decode (made by make-fixtures.sh and taken
    /// from pillow-heif's test images).
    static let decodableHEIC = [
        "landscape.heic", "alpha.heic", "monkey-10bit.heic", "pillow-heif-RGB_8__29x100.heif", "pillow-heif-RGBA_10__29x100.heif", "pillow-heif-RGB_12__29x100.heif",
        "pillow-heif-L_8__29x100.heif", "pillow-heif-LA_8__29x100.heif", "pillow-heif-RGB_8_chroma444.heif",
        "pillow-heif-transform_mismatch_thumbnail.heic", "pillow-heif-crop_mismatch_thumbnail.heic",
    ]
    /// The AVIF fixtures (made by make-fixtures.sh with avifenc).
    static let decodableAVIF = ["landscape-avif.avif", "alpha-avif.avif", "monkey-10bit-avif.avif",
                                "portrait-irot-imir.avif", "grid-2x2.avif"]

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("heif/" + name))))
    }

    static func source(_ name: String) throws -> any ImageSource {
        let path = Fixtures.path("heif/" + name)
        let entry = try #require(FormatTable.sniff(try FileIO.readPrefix(path: path, count: FormatTable.sniffLength)))
        return try entry.source.init(path: path, handles: CodecHandles(), fingerprinting: false)
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
        // Stored as the 300x450 portrait with irot 1 and imir 1: orientation 7 (transverse).
        let turned = try Self.source("portrait-irot-imir.avif").header
        #expect(turned.width == 300 && turned.height == 450 && turned.orientation == 7)
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

    /// Our decode of every HEIC fixture, turned by its orientation, equals heif-convert's (the same libheif, so 8-bit files
    /// match exactly; 10- and 12-bit ones go to 8 bits by two roundings: within one level).
    @Test(arguments: decodableHEIC)
    func decodesLikeHeifConvert(_ name: String) throws {
        let reference = try #require(try HEIFReference.heifConvert(Fixtures.path("heif/" + name))?.first)
        // heif-convert's rendering is upright; ours is stored, with irot/imir as the orientation.
        let source = try Self.source(name)
        try Self.expectAlike(try source.decodeWhole().oriented(source.header.orientation), reference)
    }

    /// Our decode of every AVIF fixture equals avifdec's (the same libavif conversion, in strips
    /// here and whole there: the strips join without a seam), in stored orientation.
    @Test(arguments: decodableAVIF)
    func decodesLikeAvifdec(_ name: String) throws {
        let reference = try #require(try HEIFReference.avifdec(Fixtures.path("heif/" + name)))
        try Self.expectAlike(try Self.source(name).decodeWhole(), reference)
    }

    static func expectAlike(_ ours: PixelBuffer, _ reference: PixelBuffer) throws {
        try #require(ours.width == reference.width && ours.height == reference.height && ours.channels == reference.channels,
                     "ours \(ours.width)x\(ours.height)x\(ours.channels), reference \(reference.width)x\(reference.height)x\(reference.channels)")
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

    /// Each irot angle and imir mode, applied by hand in HEIF's order (rotation, then mirror), is
    /// the EXIF orientation the decoder reports for it.
    @Test func irotAndImirMapToEXIFOrientations() {
        var stored = PixelBuffer(width: 3, height: 2, channels: 1)
        for i in 0..<6 { stored.pixels[i] = UInt8(i) }
        func rotatedAnticlockwise(_ image: PixelBuffer) -> PixelBuffer {
            var out = PixelBuffer(width: image.height, height: image.width, channels: 1)
            for y in 0..<out.height { for x in 0..<out.width { out[x, y, 0] = image[image.width - 1 - y, x, 0] } }
            return out
        }
        func mirrored(_ image: PixelBuffer, leftRight: Bool) -> PixelBuffer {
            var out = image
            for y in 0..<image.height {
                for x in 0..<image.width {
                    out[x, y, 0] = leftRight ? image[image.width - 1 - x, y, 0] : image[x, image.height - 1 - y, 0]
                }
            }
            return out
        }
        for angle in 0..<4 {
            var turned = stored
            for _ in 0..<angle { turned = rotatedAnticlockwise(turned) }
            #expect(stored.oriented(AVIFDecoder.orientation(angle: angle, mirror: nil)) == turned, "irot \(angle)")
            for mode in [0, 1] {
                #expect(stored.oriented(AVIFDecoder.orientation(angle: angle, mirror: mode)) == mirrored(turned, leftRight: mode == 1),
                        "irot \(angle) imir \(mode)")
            }
        }
    }

    /// The AVIF stored sideways with irot 1 and imir 1 gives upright thumbnails: those of
    /// heif-convert's rendering (libheif applies irot and imir itself); with --no-rotate, the
    /// stored order.
    @Test func irotAndImirAreApplied() throws {
        let path = Fixtures.path("heif/portrait-irot-imir.avif")
        let upright = try #require(try HEIFReference.heifConvert(path)?.first)
        #expect(upright.width == 450 && upright.height == 300)
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(try PNGEncoder.encode(upright)).write(to: URL(fileURLWithPath: folder + "/upright.png"))
        let box = [BoxSize(width: 120, height: 120)]
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        let ours = try #require(try renderer.thumbnails(of: path, boxes: box).first)
        let reference = try #require(try renderer.thumbnails(of: folder + "/upright.png", boxes: box).first)
        try #require(ours.width == 120 && ours.height == 80 && reference.width == 120)
        // libheif and libavif upsample chroma differently (nearest, bilinear): close, not equal.
        #expect(psnr(ours, reference) > 40)
        var spec = ThumbnailSpec()
        spec.autoRotate = false
        let stored = try #require(try ThumbnailRenderer(spec: spec).thumbnails(of: path, boxes: box).first)
        #expect(stored.width == 80 && stored.height == 120)
    }

    /// HEIC stored sideways (irot 3; irot 3 then imir 1, written by libheif) decodes in stored
    /// order with the transformations reported as the orientation (libheif would turn the whole
    /// frame, a second frame in memory): turned by it, the decode is heif-convert's rendering,
    /// which libheif turns itself (the same decoder: within one level).
    @Test(arguments: [("portrait-irot.heic", 6), ("portrait-irot3-imir.heic", 5)])
    func heicIrotAndImirBecomeTheOrientation(name: String, orientation: Int) throws {
        let source = try Self.source(name)
        #expect(source.header == ImageHeader(width: 300, height: 450, channels: 3, orientation: orientation))
        let upright = try #require(try HEIFReference.heifConvert(Fixtures.path("heif/" + name))?.first)
        #expect(upright.width == 450 && upright.height == 300)
        try Self.expectAlike(try source.decodeWhole().oriented(orientation), upright)
    }

    /// The primary item's transformative properties, read from the `meta` box.
    @Test func transformsAreReadFromThePrimaryItem() throws {
        #expect(HEIFTransforms.read(try Self.bytes("landscape.heic")) == HEIFTransforms())
        #expect(HEIFTransforms.read(try Self.bytes("portrait-irot.heic")) == HEIFTransforms(rotation: 3))
        #expect(HEIFTransforms.read(try Self.bytes("portrait-irot3-imir.heic")) == HEIFTransforms(rotation: 3, mirror: 1))
        #expect(HEIFTransforms.read(try Self.bytes("portrait-irot-imir.avif")) == HEIFTransforms(rotation: 1, mirror: 1))
        #expect(HEIFTransforms.read(try Self.bytes("landscape-clap-avif.avif"))?.hasCleanAperture == true)
        #expect(HEIFTransforms.read(Array(try Self.bytes("landscape.heic").prefix(40))) == nil, "no meta box: nil")
    }

    /// libavif does not apply a `clap` crop: such an AVIF goes through libheif, which does, and
    /// decodes as heif-convert does (400x300 from the 640x426 coded picture).
    @Test func aCleanApertureCropIsApplied() throws {
        let source = try Self.source("landscape-clap-avif.avif")
        #expect(source.header == ImageHeader(width: 400, height: 300, channels: 3))
        let reference = try #require(try HEIFReference.heifConvert(Fixtures.path("heif/landscape-clap-avif.avif"))?.first)
        try Self.expectAlike(try source.decodeWhole(), reference)
        // The crop is the 400x300 rectangle at (40, 20) of the coded picture, as avifenc was asked.
        let whole = try #require(try HEIFReference.avifdec(Fixtures.path("heif/landscape-clap-avif.avif")))
        #expect(whole.width == 640 && whole.height == 426)
        var cropped = PixelBuffer(width: 400, height: 300, channels: 3)
        for y in 0..<300 { for x in 0..<400 { for c in 0..<3 { cropped[x, y, c] = whole[x + 40, y + 20, c] } } }
        // libheif and libavif upsample chroma differently: close, not equal.
        #expect(psnr(try source.decodeWhole(), cropped) > 38)
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
