import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// WebP in and out, through the built binary, against Pillow (Debian's /usr/bin/python3 reads and
/// writes WebP through libwebp).
@Suite(.serialized) struct WebPTests {
    static let fixtures = ["webp/photo-lossy.webp", "webp/photo-lossless.webp", "webp/alpha-lossy.webp",
                           "webp/alpha-lossless.webp", "webp/flower2.webp", "webp/hopper_orientation_6.webp",
                           "webp/transparent.webp", "webp/iss634.webp", "webp/animated-offset.webp"]

    /// Runs Tests/Fixtures/pillow-reference.py: per pair, PSNR against Pillow's reference
    /// rendering, the thumbnail's size and Pillow's thumbnail size.
    static func score(_ pairs: [(source: String, thumb: String)], box: String, sigma: String,
                      in root: String) throws -> [(psnr: Double, size: [Int], pillowSize: [Int])] {
        let run = try Tool.runProgram("/usr/bin/python3", [Tool.fixtures + "/pillow-reference.py", box, sigma]
                                      + pairs.flatMap { [$0.source, $0.thumb] }, in: root)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdoutLines.map { line in
            let fields = line.split(separator: " ").map(String.init)
            return (Double(fields[0]) ?? 0, fields[1...2].compactMap { Int($0) }, fields[3...4].compactMap { Int($0) })
        }
    }

    /// Pillow's view of an image file: format, mode, size, ICC profile length, mean of each band.
    static func pillow(_ path: String, in root: String) throws -> [String] {
        let script = """
            import sys
            from PIL import Image, ImageStat
            im = Image.open(sys.argv[1]); im.load()
            print(im.format, im.mode, im.size[0], im.size[1], len(im.info.get("icc_profile") or b""),
                  *["%.2f" % m for m in ImageStat.Stat(im).mean])
            """
        let run = try Tool.runProgram("/usr/bin/python3", ["-c", script, path], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test(arguments: [("50x50", "2"), ("256x256", "0")])
    func webpInputsMatchPillowsReferenceRendering(box: String, sigma: String) throws {
        let root = try Tool.workspace(Self.fixtures)
        let run = try Tool.run(["images", "--out", "t", "--format", "png", "--size", box, "--blur", sigma], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let names = Self.fixtures.map { ($0 as NSString).lastPathComponent }
        let scores = try Self.score(names.map { ("images/" + $0, "t/" + ($0 as NSString).deletingPathExtension + ".png") },
                                    box: box, sigma: sigma, in: root)
        try #require(scores.count == names.count)
        for (name, score) in zip(names, scores) {
            #expect(score.size == score.pillowSize, "\(name): \(score.size), Pillow \(score.pillowSize)")
            #expect(score.psnr >= 36, "\(name): \(score.psnr) dB")
        }
        let mean = scores.map(\.psnr).reduce(0, +) / Double(scores.count)
        #expect(mean >= 45, "mean \(mean) dB")
    }

    @Test func webpOutputDecodesInPillowAtPillowsSize() throws {
        let root = try Tool.workspace(["webp/alpha-lossy.webp", "webp/flower2.webp", "jpeg/testorig.jpg", "pngsuite/basn4a08.png"])
        let lossy = try Tool.run(["images", "--out", "w", "--format", "webp", "--size", "64x64"], in: root)
        #expect(lossy.status == 0, "\(lossy.stderr)")
        #expect(Tool.names(root + "/w") == ["alpha-lossy.webp", "basn4a08.webp", "flower2.webp", "testorig.webp"])
        let lossless = try Tool.run(["images", "--out", "l", "--format", "webp", "--lossless", "--size", "64x64"], in: root)
        #expect(lossless.status == 0, "\(lossless.stderr)")
        let png = try Tool.run(["images", "--out", "p", "--format", "png", "--size", "64x64"], in: root)
        #expect(png.status == 0, "\(png.stderr)")
        for name in ["alpha-lossy", "flower2", "testorig", "basn4a08"] {
            let source = try Self.pillow(root + "/images/" + (Tool.names(root + "/images").first { $0.hasPrefix(name) })!, in: root)
            let webp = try Self.pillow(root + "/w/\(name).webp", in: root)
            #expect(webp[0] == "WEBP", "\(name): \(webp)")
            // Alpha kept: RGBA for sources with alpha, RGB otherwise.
            #expect(webp[1] == (["RGBA", "LA"].contains(source[1]) ? "RGBA" : "RGB"), "\(name): \(webp[1]) from \(source[1])")
            let pillowSize = try Self.score([(root + "/images/" + (Tool.names(root + "/images").first { $0.hasPrefix(name) })!,
                                              root + "/w/\(name).webp")], box: "64x64", sigma: "2", in: root)[0]
            #expect(pillowSize.size == pillowSize.pillowSize, "\(name)")
            #expect(pillowSize.psnr > 25, "\(name): lossy WebP at quality 75 is \(pillowSize.psnr) dB from the reference")
            // Lossless output holds exactly the pixels the PNG output holds (gray becomes RGB).
            let exact = try Tool.runProgram("/usr/bin/python3", ["-c", """
                import sys
                from PIL import Image, ImageChops
                a = Image.open(sys.argv[1]); b = Image.open(sys.argv[2])
                b = b.convert(a.mode)
                print(ImageChops.difference(a.convert("RGBA"), b.convert("RGBA")).getbbox())
                """, root + "/l/\(name).webp", root + "/p/\(name).png"], in: root)
            #expect(exact.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "None", "\(name): \(exact.stdout) \(exact.stderr)")
        }
        // The ICC profile (sRGB) is converted by default, so none is written; --icc keep carries
        // it in an ICCP chunk; --strip-icc drops it.
        #expect(try Self.pillow(root + "/w/flower2.webp", in: root)[4] == "0")
        let kept = try Tool.run(["images/flower2.webp", "--out", "k", "--format", "webp", "--icc", "keep"], in: root)
        #expect(kept.status == 0)
        #expect(try Self.pillow(root + "/k/flower2.webp", in: root)[4] == "3144")
        let stripped = try Tool.run(["images/flower2.webp", "--out", "s", "--format", "webp", "--strip-icc"], in: root)
        #expect(stripped.status == 0)
        #expect(try Self.pillow(root + "/s/flower2.webp", in: root)[4] == "0")
        // Same bytes run after run.
        let again = try Tool.run(["images", "--out", "w2", "--format", "webp", "--size", "64x64", "--jobs", "1"], in: root)
        #expect(again.status == 0)
        for name in Tool.names(root + "/w") {
            #expect(FileManager.default.contentsEqual(atPath: root + "/w/" + name, andPath: root + "/w2/" + name), "\(name)")
        }
    }

    @Test func aWebPSourceKeepsItsFormatAndFolderWalksFindWebP() throws {
        let root = try Tool.workspace(["webp/photo-lossy.webp", "jpeg/testorig.jpg"], names: ["photo.webp", "named-wrong.png"])
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/t") == ["named-wrong.png", "photo.webp"])
        #expect(ImageFormat.sniff(path: root + "/t/photo.webp") == .webp)
        #expect(try Tool.size(of: root + "/t/photo.webp") == (50, 33, 3))
    }

    @Test func truncatedAndBrokenWebPFilesFailByName() throws {
        let root = try Tool.workspace(["webp/photo-lossy.webp"])
        let whole = try FileIO.readAll(path: Tool.fixtures + "/webp/photo-lossy.webp")
        try FileIO.writeAtomically(Array(whole.prefix(whole.count / 2)), to: root + "/images/half.webp")
        try FileIO.writeAtomically(Array(whole.prefix(20)), to: root + "/images/header.webp")
        try FileIO.writeAtomically(Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), to: root + "/images/empty-riff.webp")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 1)
        #expect(run.stdoutLines == ["t/photo-lossy.webp"])
        let errors = run.stderrLines.dropLast()
        #expect(errors.count == 3, "\(run.stderr)")
        #expect(errors.contains { $0.hasPrefix("thumbnail: images/half.webp: truncated") }, "\(run.stderr)")
        #expect(errors.contains { $0.hasPrefix("thumbnail: images/header.webp: truncated") }, "\(run.stderr)")
        #expect(errors.contains { $0.hasPrefix("thumbnail: images/empty-riff.webp: ") }, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/t/half.webp"))
    }

    @Test func theHelpListsWebP() throws {
        let run = try Tool.run(["--help"], in: NSTemporaryDirectory())
        // The help wraps lines: compare with the white space folded.
        let help = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains(FormatTable.readableNames(joinedBy: "and")) && help.contains("WebP"))
        #expect(help.contains(FormatTable.formatOptionValues) && help.contains("webp"))
        let bad = try Tool.run(["x.jpg", "--format", "gif"], in: NSTemporaryDirectory())
        #expect(bad.status == 64 && bad.stderr.contains("gif") && bad.stderr.contains("webp"), "\(bad.stderr)")
    }

    @Test func aHugeWebPIsDecodedStraightAtTheReducedSize() throws {
        // 16383x16383 (the largest WebP), black with a white middle square: 805 MB as an RGB frame.
        let root = try Tool.workspace(["huge-16383x16383.webp"])
        // GNU time's %M: the peak of the tool and of every worker it waited for (a child of this
        // test process would start from this process's own peak: posix_spawn then exec).
        let run = try Tool.runProgram("/usr/bin/time", ["-f", "%M", "-o", "peak", Tool.binary, "images", "--out", "t",
                                                        "--blur", "0", "--size", "30x30", "--format", "png"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/huge-16383x16383.png")
        #expect(thumb.width == 30 && thumb.height == 30 && thumb.channels == 3)
        #expect(thumb[15, 15, 0] == 255 && thumb[2, 2, 0] == 0 && thumb[27, 15, 1] == 0)
        let peak = try #require(Int(String(contentsOfFile: root + "/peak", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(peak < 64 * 1024, "peak \(peak) KiB")
    }

    @Test func webpOutputIsAsGoodAsCwebpsAndKeepsItsColours() throws {
        // The same PNG thumbnail through cwebp at the same quality: the thumbnail's WebP must come
        // within 1 dB of cwebp's (PSNR against that PNG), and keep its mean colour within 2.5 levels
        // a channel (a wrong YUV range or matrix shows there).
        let root = try Tool.workspace(["webp/photo-lossy.webp", "jpeg/testorig.jpg", "webp/alpha-lossless.webp"])
        for (folder, format) in [("p", "png"), ("w", "webp")] {
            let run = try Tool.run(["images", "--out", folder, "--format", format, "--size", "256x256", "--quality", "80"], in: root)
            #expect(run.status == 0, "\(run.stderr)")
        }
        try FileManager.default.createDirectory(atPath: root + "/c", withIntermediateDirectories: true)
        for name in ["photo-lossy", "testorig", "alpha-lossless"] {
            let cwebp = try Tool.runProgram("/usr/bin/cwebp", ["-quiet", "-q", "80", "p/\(name).png", "-o", "c/\(name).webp"], in: root)
            #expect(cwebp.status == 0, "\(cwebp.stderr)")
            let compare = try Tool.runProgram("/usr/bin/python3", ["-c", """
                import math, sys
                import numpy as np
                from PIL import Image
                def load(path):
                    im = Image.open(path).convert("RGBA")
                    grey = Image.new("RGBA", im.size, (128, 128, 128, 255))
                    return np.asarray(Image.alpha_composite(grey, im).convert("RGB"), dtype=np.float64)
                def psnr(a, b):
                    m = float(((a - b) ** 2).mean())
                    return 99.0 if m == 0 else 10 * math.log10(255 * 255 / m)
                png, ours, theirs = (load(p) for p in sys.argv[1:4])
                shift = np.abs(ours.reshape(-1, 3).mean(0) - png.reshape(-1, 3).mean(0)).max()
                print("%.3f %.3f %.3f" % (psnr(ours, png), psnr(theirs, png), shift))
                """, "p/\(name).png", "w/\(name).webp", "c/\(name).webp"], in: root)
            let values = compare.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            try #require(values.count == 3, "\(compare.stderr)")
            #expect(values[0] >= values[1] - 1, "\(name): ours \(values[0]) dB, cwebp \(values[1]) dB")
            #expect(values[2] <= 2.5, "\(name): mean colour off by \(values[2])")
        }
    }
}
