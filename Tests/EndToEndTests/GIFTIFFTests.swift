import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// GIF and TIFF sources through the built tool: the names they are written under, damaged files,
/// and huge TIFFs in little memory.
@Suite(.serialized) struct GIFTIFFTests {
    /// Formats the tool reads but does not write become JPEG, or PNG when the source has alpha,
    /// under their stem.
    @Test func gifsAndTiffsAreWrittenAsJPEGOrAsPNGWhenTheyHaveAlpha() throws {
        let root = try Tool.workspace(["gif/photo.gif", "gif/photo-transparent.gif", "tiff/photo-lzw.tif",
                                       "tiff/photo-alpha-associated.tif", "tiff/multipage.tiff"])
        let run = try Tool.run(["images", "--out", "t", "--size", "64x64"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/t") == ["multipage.jpg", "photo-alpha-associated.png", "photo-lzw.jpg", "photo-transparent.png", "photo.jpg"])
        for name in Tool.names(root + "/t") {
            let head = try FileIO.readPrefix(path: root + "/t/" + name, count: 8)
            #expect(ImageFormat.sniff(head) == (name.hasSuffix(".png") ? .png : .jpeg), "\(name)")
        }
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/photo-transparent.png")
        #expect(thumb.channels == 4 && thumb[1, 20, 3] == 0 && thumb[62, 20, 3] == 255)
        // --format still decides when given.
        let png = try Tool.run(["images/photo.gif", "--out", "p", "--format", "png", "--size", "64x64"], in: root)
        #expect(png.status == 0 && Tool.names(root + "/p") == ["photo.png"], "\(png.stderr)")
    }

    /// An orientation-6 TIFF comes out upright (portrait), as its JPEG twin would.
    @Test func theOrientationTagTurnsTheThumbnailUpright() throws {
        let root = try Tool.workspace(["tiff/photo-orientation-6.tif", "tiff/photo-lzw.tif"])
        let run = try Tool.run(["images", "--out", "t", "--size", "100x100", "--format", "png", "--blur", "0"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let upright = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/photo-orientation-6.png")
        let plain = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/photo-lzw.png")
        #expect(upright.width == 67 && upright.height == 100 && plain.width == 100 && plain.height == 67)
        #expect(upright == plain.oriented(6))
    }

    @Test func truncatedAndDamagedGIFsAndTIFFsFailByName() throws {
        let root = try Tool.workspace(["gif/photo.gif", "tiff/photo-lzw.tif", "gif/issue_2811.gif",
                                       "tiff/crash-0e16d3bfb83be87356d026d66919deaefca44dac.tif"])
        let gif = try FileIO.readAll(path: Tool.fixtures + "/gif/photo.gif")
        let tiff = try FileIO.readAll(path: Tool.fixtures + "/tiff/photo-lzw.tif")
        var damagedTIFF = tiff
        damagedTIFF[2] = 0x2B  // a BigTIFF version with a classic header
        let damaged: [(String, [UInt8])] = [
            ("cut.gif", Array(gif.prefix(gif.count / 2))), ("header.gif", Array(gif.prefix(12))),
            ("cut-tiff.tif", Array(tiff.prefix(tiff.count / 2))), ("bigtiff.tif", damagedTIFF),
        ]
        for (name, bytes) in damaged { try FileIO.writeAtomically(bytes, to: root + "/images/" + name) }
        let run = try Tool.run(["images", "--out", "t", "--size", "40x40"], in: root)
        #expect(run.status == 1)
        for name in damaged.map(\.0) + ["issue_2811.gif", "crash-0e16d3bfb83be87356d026d66919deaefca44dac.tif"] {
            #expect(run.stderrLines.filter { $0.hasPrefix("thumbnail: images/\(name): ") }.count == 1, "\(name): \(run.stderr)")
        }
        #expect(run.stderrLines.contains("thumbnail: images/cut.gif: truncated: the file ends before the image does (giflib: Failed to read from given file)"),
                "\(run.stderr)")
        #expect(Tool.names(root + "/t") == ["photo-lzw.jpg", "photo.jpg"])
    }

    /// The fidelity bar: `--format png` thumbnails of every GIF and TIFF fixture against the
    /// reference rendering (Pillow's decode, blurred and Lanczos-resized): PSNR mean >= 45 dB,
    /// each >= 36 dB.
    @Test func thumbnailsMatchTheReferenceRendering() throws {
        let root = try Tool.workspace([])
        for folder in ["gif", "tiff"] {
            try FileManager.default.copyItem(atPath: Tool.fixtures + "/" + folder, toPath: root + "/images/" + folder)
        }
        let run = try Tool.run(["images/gif", "images/tiff", "--out", "t", "--format", "png", "--json", "--size", "50x50", "--blur", "2"], in: root)
        #expect(run.status == 1, "the damaged fixtures fail: \(run.stderr)")
        try Data(run.stdout.utf8).write(to: URL(fileURLWithPath: root + "/records.jsonl"))
        let compare = try Tool.runProgram("/usr/bin/python3", ["-W", "ignore", Tool.repo + "/Tests/Reference/differential.py",
                                                                "records.jsonl", "--min-psnr", "36"], in: root)
        let summary = try #require((try? JSONSerialization.jsonObject(with: Data((compare.stdoutLines.last ?? "").utf8)) as? [String: Any])?["summary"] as? [String: Any],
                                   "\(compare.stdout)")
        #expect(compare.status == 0, "\(compare.stdout)")
        #expect((summary["match"] as? Int ?? 0) >= 35 && (summary["mismatch"] as? Int) == 0, "\(summary)")
        #expect((summary["mean_psnr"] as? Double ?? 0) >= 45 && (summary["min_psnr"] as? Double ?? 0) >= 36, "\(summary)")
        // Only the two damaged fixtures fail (issue_2811.gif and the crash TIFF).
        #expect((summary["tool failed"] as? Int) == 2, "\(summary)")
    }

    /// --max-pixels is checked on the GIF's screen from its header, before anything is decoded.
    @Test func aHugeGIFScreenIsRefusedFromItsHeader() throws {
        let root = try Tool.workspace([])
        // A 60000x60000 screen holding one 1x1 frame: 58 bytes.
        let frame: [UInt8] = [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]
        let gif = Array("GIF89a".utf8) + [0x60, 0xEA, 0x60, 0xEA, 0x80, 0, 0, 0, 0, 0, 255, 255, 255] + frame + [0x3B]
        try FileIO.writeAtomically(gif, to: root + "/images/screen.gif")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 1)
        #expect(run.stderrLines.first == "thumbnail: images/screen.gif: 60000x60000 is 3600000000 pixels, over the limit of 500000000 (--max-pixels)",
                "\(run.stderr)")
        let ok = try Tool.run(["images", "--out", "t", "--max-pixels", "4000000000", "--size", "10x10"], in: root)
        #expect(ok.status == 0, "\(ok.stderr)")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/screen.png")
        #expect(thumb.width == 10 && thumb.height == 10 && thumb.channels == 4 && thumb[5, 5, 3] == 0)
    }

    /// A 20000x20000 TIFF (400 MB as an 8-bit frame) in strips and in tiles, made at test time
    /// (black with a white middle square), is thumbnailed far below one frame of memory.
    @Test(arguments: ["strips", "tiles"])
    func aHugeTIFFIsThumbnailedInLittleMemory(_ layout: String) throws {
        let root = try Tool.workspace([])
        let make = try Tool.runProgram("/usr/bin/python3", [Tool.repo + "/Tests/Reference/make_huge_tiff.py",
                                                             "images/huge.tif", "20000", layout], in: root)
        #expect(make.status == 0, "\(make.stderr)")
        let run = try Tool.runProgram("/usr/bin/time", ["-f", "%M", "-o", "peak", Tool.binary, "images", "--out", "t",
                                                        "--blur", "0", "--size", "30x30", "--format", "png"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/huge.png")
        #expect(thumb.width == 30 && thumb.height == 30 && thumb.channels == 1)
        #expect(thumb[15, 15, 0] == 255 && thumb[2, 2, 0] == 0 && thumb[27, 15, 0] == 0)
        let peak = try #require(Int(String(contentsOfFile: root + "/peak", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(peak < 64 * 1024, "peak \(peak) KiB")
    }
}
