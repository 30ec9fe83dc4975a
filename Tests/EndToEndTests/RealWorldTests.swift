import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// Real-world files: orientation, colour profiles, CMYK, grayscale, alpha.
@Suite(.serialized) struct RealWorldTests {
    func decode(_ path: String) throws -> PixelBuffer { try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(path) }
    func bytes(_ path: String) throws -> [UInt8] { try FileIO.readAll(path: path) }

    @Test(arguments: ["Landscape", "Portrait"])
    func everyEXIFOrientationComesOutUpright(set: String) throws {
        let files = (0...8).map { "exif-orientation/\(set)_\($0).jpg" }
        let root = try Tool.workspace(files)
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let reference = try decode(root + "/t/\(set)_1.jpg")
        #expect(set == "Landscape" ? (reference.width, reference.height) == (50, 33) : (reference.width, reference.height) == (33, 50))
        for n in 0...8 {
            let path = root + "/t/\(set)_\(n).jpg"
            let thumb = try decode(path)
            #expect((thumb.width, thumb.height) == (reference.width, reference.height), "\(set)_\(n)")
            #expect(thumb.psnr(to: reference) > 25, "\(set)_\(n) does not look like \(set)_1")
            // The thumbnail carries no EXIF (so no orientation, no camera data, no GPS) and no XMP.
            #expect(!JPEGMarkers.segments(try bytes(path)).contains { $0.marker == 0xE1 }, "\(set)_\(n)")
        }
        // --no-rotate keeps the stored pixel order: orientation 6 is stored sideways.
        let raw = try Tool.run(["images/\(set)_6.jpg", "--out", "raw", "--no-rotate"], in: root)
        #expect(raw.status == 0)
        let sideways = try decode(root + "/raw/\(set)_6.jpg")
        #expect((sideways.width, sideways.height) == (reference.height, reference.width))
    }

    @Test func anRGBProfileIsCarriedIntoJPEGAndPNGThumbnailsWithICCKeep() throws {
        let profile = try bytes(Tool.fixtures + "/jpeg/test3.icc")
        let root = try Tool.workspace([])
        let jpeg = ICCProfile.embed(profile, inJPEG: try bytes(Tool.fixtures + "/jpeg/testorig.jpg"))
        try FileIO.writeAtomically(jpeg, to: root + "/images/tagged.jpg")
        let png = try PNGEncoder.encode(try decode(Tool.fixtures + "/jpeg/vgl_5674_0098.png"), iccProfile: profile)
        try FileIO.writeAtomically(png, to: root + "/images/tagged.png")

        let same = try Tool.run(["images", "--out", "same", "--icc", "keep"], in: root)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(ICCProfile.extract(jpeg: try bytes(root + "/same/tagged.jpg")) == profile)
        #expect(try PNGDecoder(path: root + "/same/tagged.png", maxDimension: 1000).iccProfile == profile)
        let swapped = try Tool.run(["images/tagged.jpg", "--out", "png", "--format", "png", "--icc", "keep"], in: root)
        #expect(swapped.status == 0)
        #expect(try PNGDecoder(path: root + "/png/tagged.png", maxDimension: 1000).iccProfile == profile)
        let toJPEG = try Tool.run(["images/tagged.png", "--out", "jpg", "--format", "jpeg", "--icc", "keep"], in: root)
        #expect(toJPEG.status == 0)
        #expect(ICCProfile.extract(jpeg: try bytes(root + "/jpg/tagged.jpg")) == profile)
        // --strip-icc drops it, and saves the bytes.
        let stripped = try Tool.run(["images", "--out", "bare", "--strip-icc"], in: root)
        #expect(stripped.status == 0)
        #expect(ICCProfile.extract(jpeg: try bytes(root + "/bare/tagged.jpg")) == nil)
        #expect(try PNGDecoder(path: root + "/bare/tagged.png", maxDimension: 1000).iccProfile == nil)
        #expect(try bytes(root + "/bare/tagged.jpg").count + profile.count <= (try bytes(root + "/same/tagged.jpg")).count)
    }

    @Test func cmykJPEGsBecomeRGBWithTheRightColours() throws {
        // Eight patches drawn in RGB, converted to (Adobe, YCCK) CMYK by ImageMagick.
        let root = try Tool.workspace(["jpeg/patches-ycck.jpg", "jpeg/patches.png"])
        // A CMYK profile no longer describes the RGB thumbnail: it must not be embedded.
        let cmykProfile = try bytes(Tool.fixtures + "/jpeg/test1.icc")
        try FileIO.writeAtomically(ICCProfile.embed(cmykProfile, inJPEG: try bytes(root + "/images/patches-ycck.jpg")),
                                   to: root + "/images/patches-ycck.jpg")
        // --icc keep: the naive formula (the conversion through a CMYK profile is ICCConversionTests').
        let run = try Tool.run(["images", "--out", "t", "--format", "png", "--blur", "0", "--size", "64x64", "--icc", "keep"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let cmyk = try decode(root + "/t/patches-ycck.png")
        let rgb = try decode(root + "/t/patches.png")
        #expect(cmyk.channels == 3 && cmyk.width == 64 && cmyk.height == 32)
        for patch in 0..<8 {
            for c in 0..<3 {
                let got = Int(cmyk[patch * 8 + 4, 16, c]), want = Int(rgb[patch * 8 + 4, 16, c])
                #expect(abs(got - want) <= 4, "patch \(patch) channel \(c): \(got) vs \(want)")
            }
        }
        #expect(try PNGDecoder(path: root + "/t/patches-ycck.png", maxDimension: 100).iccProfile == nil)
    }

    @Test func grayStaysGrayAndAlphaNeverBleeds() throws {
        let root = try Tool.workspace(["pngsuite/basn0g08.png", "pngsuite/basn4a08.png"])
        // A gray JPEG, made by the library's own encoder.
        let gray = PixelBuffer(width: 80, height: 60, channels: 1, pixels: (0..<4800).map { UInt8($0 % 80 * 3) })
        try FileIO.writeAtomically(try JPEGEncoder().encode(gray, quality: 90), to: root + "/images/gray.jpg")
        // Opaque blue beside fully transparent pixels whose hidden colour is pure red.
        var rgba = PixelBuffer(width: 120, height: 80, channels: 4)
        for y in 0..<80 {
            for x in 0..<120 {
                let px: [UInt8] = x < 60 ? [0, 0, 255, 255] : [255, 0, 0, 0]
                for c in 0..<4 { rgba[x, y, c] = px[c] }
            }
        }
        try FileIO.writeAtomically(try PNGEncoder.encode(rgba), to: root + "/images/bluered.png")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try Tool.size(of: root + "/t/gray.jpg").2 == 1)
        #expect(try Tool.size(of: root + "/t/basn0g08.png").2 == 1)
        #expect(try Tool.size(of: root + "/t/basn4a08.png").2 == 2)
        let thumb = try decode(root + "/t/bluered.png")
        #expect(thumb.channels == 4 && thumb.width == 50 && thumb.height == 33)
        for y in 0..<thumb.height {
            for x in 0..<thumb.width where thumb[x, y, 3] > 0 {
                #expect(thumb[x, y, 0] == 0, "red at \(x),\(y)")
            }
        }
        // Flattened onto white for JPEG: the hidden red never tints anything.
        let jpeg = try Tool.run(["images/bluered.png", "--out", "j", "--format", "jpeg", "--quality", "95"], in: root)
        #expect(jpeg.status == 0)
        let flat = try decode(root + "/j/bluered.jpg")
        for y in 0..<flat.height {
            for x in 0..<flat.width {
                #expect(Int(flat[x, y, 0]) <= Int(flat[x, y, 1]) + 6, "red tint at \(x),\(y)")
            }
        }
        #expect(flat[45, 16, 0] > 240 && flat[45, 16, 2] > 240)  // white where it was transparent
        #expect(flat[5, 16, 2] > 240 && flat[5, 16, 0] < 15)     // blue where it was blue
    }

    @Test func progressiveOutputAndTwelveBitRefusal() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "jpeg/monkey12.jpg", "jpeg/testimgari.jpg", "jpeg/testimgint.jpg"])
        let run = try Tool.run(["images", "--out", "t", "--progressive"], in: root)
        #expect(run.status == 1)
        #expect(run.stderrLines.contains { $0.hasPrefix("thumbnail: images/monkey12.jpg: unsupported:") && $0.contains("precision 12") })
        for name in ["testorig.jpg", "testimgari.jpg", "testimgint.jpg"] {
            #expect(JPEGMarkers.segments(try bytes(root + "/t/" + name)).contains { $0.marker == 0xC2 }, "\(name)")
        }
    }
}
