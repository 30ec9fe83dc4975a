import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// `--icc convert|keep|strip` on photos with real wide-gamut profiles (Tests/Fixtures/icc, made by
/// its make-fixtures.py): converted thumbnails are held against the source converted to sRGB by
/// Little CMS through Pillow's ImageCms and reduced the reference way (Tests/Reference/differential.py).
@Suite(.serialized) struct ICCConversionTests {
    static let python = "/usr/bin/python3"
    static let differential = Tool.repo + "/Tests/Reference/differential.py"
    /// ProPhoto RGB (colord's) and Display P3 photos, JPEG and PNG, one with an alpha ramp, and a
    /// gray JPEG with a gamma-1.8 gray profile.
    static let profiled = ["icc/ladybird-prophoto.jpg", "icc/ladybird-prophoto.png", "icc/flower-p3.jpg",
                           "icc/flower-p3-alpha.png", "icc/garden-gray18.jpg"]
    /// Unique names (the ProPhoto JPEG and PNG would both give a `.png`).
    static let names = ["ladybird-prophoto.jpg", "ladybird-prophoto-png.png", "flower-p3.jpg", "flower-p3-alpha.png",
                        "garden-gray18.jpg"]

    func bytes(_ path: String) throws -> [UInt8] { try FileIO.readAll(path: path) }
    func decode(_ path: String) throws -> PixelBuffer { try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(path) }

    /// The profile embedded in a JPEG or PNG file (nil when none).
    func profile(_ path: String) throws -> [UInt8]? {
        path.hasSuffix(".png") ? try PNGDecoder(path: path, maxDimension: 1 << 16).iccProfile
            : ICCProfile.extract(jpeg: try bytes(path))
    }

    /// Runs the differential check over `records` (the tool's --json output, in `root`) with the
    /// reference converting profiles (`icc` convert) or not; gives the summary and the mismatched inputs.
    func differential(_ root: String, _ records: String, icc: String) throws -> (summary: [String: Any], mismatched: [String]) {
        try Data(records.utf8).write(to: URL(fileURLWithPath: root + "/records.jsonl"))
        let run = try Tool.runProgram(Self.python, ["-W", "ignore", Self.differential, "records.jsonl", "--icc", icc], in: root)
        let objects = run.stdoutLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let summary = try #require(objects.last?["summary"] as? [String: Any], "\(run.stdout)\(run.stderr)")
        return (summary, objects.compactMap { $0["input"] as? String })
    }

    @Test func wideGamutPhotosComeOutInSRGBLikeLittleCMSsConversion() throws {
        let root = try Tool.workspace(Self.profiled, names: Self.names)
        let run = try Tool.run(["images", "--out", "t", "--format", "png", "--size", "100x100", "--json"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        for name in Self.names {
            let output = root + "/t/" + OutputNaming.stem(of: name) + ".png"
            #expect(try profile(output) == nil, "\(name): a converted thumbnail carries no profile")
        }
        let converted = try differential(root, run.stdout, icc: "convert")
        #expect(converted.summary["match"] as? Int == Self.names.count, "\(converted.summary)")
        #expect(converted.mismatched.isEmpty, "unlike the sRGB reference: \(converted.mismatched)")
        // The same thumbnails are far from the unconverted rendering: the conversion is what matches.
        let unconverted = try differential(root, run.stdout, icc: "strip")
        #expect(Set(unconverted.mismatched) == Set(Self.names.map { "images/" + $0 }), "\(unconverted.summary)")
        // JPEG output (the JPEG sources' own format) carries no APP2 profile either.
        let jpeg = try Tool.run(["images/ladybird-prophoto.jpg", "images/flower-p3.jpg", "--out", "j"], in: root)
        #expect(jpeg.status == 0, "\(jpeg.stderr)")
        for name in ["ladybird-prophoto.jpg", "flower-p3.jpg"] { #expect(try profile(root + "/j/" + name) == nil, "\(name)") }
    }

    @Test func keepCarriesTheProfileByteForByteAndStripDropsItUnconverted() throws {
        let root = try Tool.workspace(Self.profiled, names: Self.names)
        let keep = try Tool.run(["images", "--out", "k", "--icc", "keep", "--json"], in: root)
        let strip = try Tool.run(["images", "--out", "s", "--icc", "strip"], in: root)
        let alias = try Tool.run(["images", "--out", "a", "--strip-icc"], in: root)
        #expect(keep.status == 0 && strip.status == 0 && alias.status == 0, "\(keep.stderr)\(strip.stderr)\(alias.stderr)")
        for name in Self.names {
            let source = try #require(try profile(root + "/images/" + name), "\(name) has a profile")
            #expect(try profile(root + "/k/" + name) == source, "\(name): --icc keep")
            #expect(try profile(root + "/s/" + name) == nil, "\(name): --icc strip")
            // Keep and strip leave the pixels alone; --strip-icc is --icc strip, to the byte.
            #expect(try decode(root + "/k/" + name).pixels == decode(root + "/s/" + name).pixels, "\(name)")
            #expect(FileManager.default.contentsEqual(atPath: root + "/s/" + name, andPath: root + "/a/" + name), "\(name)")
        }
        // Unconverted pixels match the unconverted reference (PNG outputs are compared losslessly).
        let pngKeep = try Tool.run(["images", "--out", "kp", "--icc", "keep", "--format", "png", "--size", "100x100", "--json"], in: root)
        let kept = try differential(root, pngKeep.stdout, icc: "keep")
        #expect(kept.mismatched.isEmpty && kept.summary["match"] as? Int == Self.names.count, "\(kept.summary)")
    }

    @Test func contradictoryICCOptionsAreAUsageError() throws {
        let root = try Tool.workspace(["icc/flower-p3.jpg"])
        for mode in ["keep", "convert"] {
            let run = try Tool.run(["images", "--out", "t", "--strip-icc", "--icc", mode], in: root)
            #expect(run.status == 64, "\(mode): \(run.stderr)")
            #expect(run.stderr.contains("--strip-icc means --icc strip, which contradicts --icc \(mode)"), "\(run.stderr)")
        }
        #expect(try Tool.run(["images", "--out", "t", "--strip-icc", "--icc", "strip"], in: root).status == 0)
        let bad = try Tool.run(["images", "--out", "t", "--icc", "srgb"], in: root)
        #expect(bad.status == 64 && bad.stderr.contains("convert"), "\(bad.stderr)")
    }

    @Test func alphaIsCopiedUntouchedWhileColourIsConverted() throws {
        let root = try Tool.workspace(["icc/flower-p3-alpha.png"])
        #expect(try Tool.run(["images", "--out", "c", "--size", "80x80"], in: root).status == 0)
        #expect(try Tool.run(["images", "--out", "s", "--size", "80x80", "--icc", "strip"], in: root).status == 0)
        let converted = try decode(root + "/c/flower-p3-alpha.png"), plain = try decode(root + "/s/flower-p3-alpha.png")
        #expect(converted.channels == 4 && plain.channels == 4)
        let alpha = { (image: PixelBuffer) in stride(from: 3, to: image.pixels.count, by: 4).map { image.pixels[$0] } }
        #expect(alpha(converted) == alpha(plain))
        #expect(converted.pixels != plain.pixels)
    }

    /// A CMYK JPEG (Adobe, inverted) and a CMYK TIFF (LZW), each with a CMYK profile embedded.
    @Test(arguments: ["cmyk.jpg", "cmyk.tif"])
    func aCMYKSourceGoesThroughItsEmbeddedCMYKProfile(name: String) throws {
        let root = try Tool.workspace([])
        // Made here: libjpeg-turbo's CMYK test profile alone is 557 KB (Tests/Fixtures/jpeg/test1.icc).
        let make = try Tool.runProgram(Self.python, [Tool.fixtures + "/icc/make-fixtures.py", "cmyk", root + "/images/" + name], in: root)
        try #require(make.status == 0, "\(make.stderr)")
        let run = try Tool.run(["images", "--out", "t", "--format", "png", "--size", "100x100", "--json"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try profile(root + "/t/cmyk.png") == nil)
        let converted = try differential(root, run.stdout, icc: "convert")
        #expect(converted.mismatched.isEmpty && converted.summary["match"] as? Int == 1, "\(converted.summary)")
        // Not the naive formula: that rendering is far from these pixels.
        #expect(try differential(root, run.stdout, icc: "strip").mismatched == ["images/" + name])
        // --icc strip (and keep: a CMYK profile cannot describe RGB pixels) use the naive formula.
        let naive = try Tool.run(["images", "--out", "n", "--format", "png", "--size", "100x100", "--json", "--icc", "strip"], in: root)
        #expect(try differential(root, naive.stdout, icc: "strip").mismatched.isEmpty)
        #expect(try Tool.run(["images", "--out", "k", "--format", "png", "--size", "100x100", "--icc", "keep"], in: root).status == 0)
        #expect(try decode(root + "/k/cmyk.png").pixels == decode(root + "/n/cmyk.png").pixels)
        #expect(try profile(root + "/k/cmyk.png") == nil)
    }

    @Test func aBrokenProfileRendersUnconvertedAndNeverFails() throws {
        let root = try Tool.workspace(["icc/broken-profile.jpg"])
        let run = try Tool.run(["images", "--out", "c", "--format", "png"], in: root)
        #expect(run.status == 0 && run.stderr.contains("0 failed"), "\(run.stderr)")
        #expect(try Tool.run(["images", "--out", "s", "--format", "png", "--icc", "strip"], in: root).status == 0)
        #expect(try decode(root + "/c/broken-profile.png").pixels == decode(root + "/s/broken-profile.png").pixels)
        #expect(try profile(root + "/c/broken-profile.png") == nil)
        // Every kind of damage to a real profile: truncated, bit-flipped, tags pointing anywhere.
        var random = SeededRandom(seed: 11)
        let real = try bytes(Tool.fixtures + "/icc/display-p3.icc")
        let photo = try bytes(Tool.fixtures + "/jpeg/testorig.jpg")
        for i in 0..<40 {
            var damaged = real
            switch i % 3 {
            case 0: damaged = Array(damaged.prefix(20 + Int(random.next() % UInt64(real.count - 20))))
            case 1: for _ in 0..<4 { damaged[Int(random.next() % UInt64(real.count))] ^= UInt8(1 << (random.next() % 8)) }
            default: damaged[128 + 4 + Int(random.next() % 24)] = UInt8(truncatingIfNeeded: random.next())
            }
            try FileIO.writeAtomically(ICCProfile.embed(damaged, inJPEG: photo), to: root + "/images/damaged-\(i).jpg")
        }
        let all = try Tool.run(["images", "--out", "d", "--format", "png"], in: root)
        #expect(all.status == 0 && all.stderr.contains("41 thumbnails") && all.stderr.contains("0 failed"), "\(all.stderr)")
    }

    @Test func convertedOutputIsDeterministicAndTheDesktopModesConvertToo() throws {
        let root = try Tool.workspace(Self.profiled, names: Self.names)
        #expect(try Tool.run(["images", "--out", "one", "--jobs", "1"], in: root).status == 0)
        #expect(try Tool.run(["images", "--out", "two", "--jobs", "2"], in: root).status == 0)
        for name in Self.names {
            #expect(FileManager.default.contentsEqual(atPath: root + "/one/" + name, andPath: root + "/two/" + name), "\(name)")
        }
        // The freedesktop thumbnailer (unblurred) writes what the batch mode's default (convert) writes.
        let input = root + "/images/flower-p3.jpg"
        #expect(try Tool.run(["--thumbnailer", "-s", "128", input, root + "/desktop.png"], in: root).status == 0)
        #expect(try Tool.run(["--size", "128x128", "--blur", "0", "--format", "png", "--out", "batch", input], in: root).status == 0)
        #expect(try Tool.run(["--size", "128x128", "--blur", "0", "--format", "png", "--out", "plain", "--icc", "strip", input], in: root).status == 0)
        let desktop = try decode(root + "/desktop.png")
        #expect(try profile(root + "/desktop.png") == nil)
        #expect(desktop.pixels == (try decode(root + "/batch/flower-p3.png")).pixels)
        #expect(desktop.pixels != (try decode(root + "/plain/flower-p3.png")).pixels)
        // They always convert: asking otherwise is refused, not ignored.
        let refused = try Tool.run(["--thumbnailer", "-s", "128", "--icc", "keep", input, root + "/kept.png"], in: root)
        #expect(refused.status == 64 && refused.stderr.contains("--icc does not apply with --thumbnailer"), "\(refused.stderr)")
    }
}
