import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// HEIF and AVIF whose colour is signalled only by `nclx` (Tests/Fixtures/nclx, made by its
/// make-fixtures.sh: one photo's pixels stored as they are and labelled Display P3 (12/13/6),
/// BT.2020 (9/13/9, limited range) or sRGB (1/13/6)). Converted thumbnails are held against the
/// photo read in those primaries and converted to sRGB by numpy (Tests/Reference/nclx_to_srgb.py,
/// no Little CMS), reduced the reference way (Tests/Reference/differential.py).
@Suite(.serialized) struct NCLXEndToEndTests {
    static let reference = Tool.repo + "/Tests/Reference/nclx_to_srgb.py"
    static let wide = ["ladybird-p3.avif", "ladybird-p3-hevc.heic", "ladybird-bt2020.avif", "ladybird-bt2020-hevc.heic"]
    /// Each fixture's primaries (H.273), by the label in its name.
    static func primaries(_ name: String) -> Int { name.contains("p3") ? 12 : name.contains("bt2020") ? 9 : 1 }

    func decode(_ path: String) throws -> PixelBuffer { try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(path) }

    func workspace() throws -> String {
        try Tool.workspace((Self.wide + ["ladybird-srgb.avif", "ladybird.png"]).map { "nclx/" + $0 })
    }

    /// The differential check of `records` (the tool's --json output, in `root`) with each HEIF/AVIF
    /// source replaced by the photo converted from its primaries to sRGB (`ref/<stem>.png`, a
    /// name of its own so mismatches name the fixture); gives the mismatched stems and the summary.
    func compare(_ root: String, _ records: String, options: [String] = []) throws -> (mismatched: [String], summary: [String: Any]) {
        try FileManager.default.createDirectory(atPath: root + "/ref", withIntermediateDirectories: true)
        var lines: [String] = []
        for line in records.split(separator: "\n") {
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let input = try #require(object["input"] as? String)
            if !input.hasSuffix(".png") {
                let path = "ref/" + OutputNaming.stem(of: (input as NSString).lastPathComponent) + ".png"
                if !FileManager.default.fileExists(atPath: root + "/" + path) {
                    let made = try Tool.runProgram(DifferentialTests.python, [Self.reference, "images/ladybird.png",
                                                                              "\(Self.primaries(input))", "13", path], in: root)
                    try #require(made.status == 0, "\(made.stderr)")
                }
                object["input"] = path
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: root + "/records.jsonl"))
        let run = try Tool.runProgram(DifferentialTests.python, ["-W", "ignore", DifferentialTests.script, "records.jsonl"] + options, in: root)
        let objects = run.stdoutLines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let summary = try #require(objects.last?["summary"] as? [String: Any], "\(run.stdout)\(run.stderr)")
        let mismatched = objects.compactMap { $0["input"] as? String }.map { OutputNaming.stem(of: ($0 as NSString).lastPathComponent) }
        return (mismatched.sorted(), summary)
    }

    @Test func wideGamutNCLXComesOutInSRGBLikeTheIndependentReference() throws {
        let root = try workspace()
        let run = try Tool.run(["images", "--out", "c", "--format", "png", "--size", "100x100", "--json"], in: root)
        #expect(run.status == 0 && run.stderr.contains("0 failed"), "\(run.stderr)")
        let converted = try compare(root, run.stdout, options: ["--min-psnr", "30"])
        #expect(converted.mismatched.isEmpty && converted.summary["match"] as? Int == 6, "\(converted)")
        #expect((converted.summary["min_psnr"] as? Double ?? 0) >= 33, "\(converted.summary)")
        // The unconverted rendering (--icc strip: the pixels as stored) is far from it.
        let plain = try Tool.run(["images", "--out", "s", "--format", "png", "--size", "100x100", "--json", "--icc", "strip"], in: root)
        let unconverted = try compare(root, plain.stdout, options: ["--min-psnr", "30"])
        #expect(unconverted.mismatched == Self.wide.map { OutputNaming.stem(of: $0) }.sorted(), "\(unconverted)")
        // Converted thumbnails carry no profile.
        for name in Self.wide {
            #expect(try PNGDecoder(path: root + "/c/" + OutputNaming.stem(of: name) + ".png", maxDimension: 1 << 16).iccProfile == nil, "\(name)")
        }
    }

    @Test func sRGBsNCLXComesOutUnchanged() throws {
        let root = try workspace()
        for (folder, icc) in [("c", "convert"), ("s", "strip"), ("k", "keep")] {
            let run = try Tool.run(["images/ladybird-srgb.avif", "--out", folder, "--format", "png", "--size", "100x100", "--icc", icc], in: root)
            #expect(run.status == 0, "\(run.stderr)")
        }
        // No conversion and no profile: every mode writes the same bytes, as before nclx was read.
        let converted = try FileIO.readAll(path: root + "/c/ladybird-srgb.png")
        #expect(converted == (try FileIO.readAll(path: root + "/s/ladybird-srgb.png")))
        #expect(converted == (try FileIO.readAll(path: root + "/k/ladybird-srgb.png")))
        // At full size and unblurred the pixels are avifdec's.
        #expect(try Tool.run(["images/ladybird-srgb.avif", "--out", "f", "--format", "png", "--size", "192x120", "--blur", "0"], in: root).status == 0)
        let avifdec = try Tool.runProgram(HEIFEndToEndTests.avifdec, ["images/ladybird-srgb.avif", "avifdec.png"], in: root)
        try #require(avifdec.status == 0, "\(avifdec.stderr)")
        #expect(try decode(root + "/avifdec.png").pixels == decode(root + "/f/ladybird-srgb.png").pixels)
    }

    @Test func keepWritesTheEquivalentProfileAndLeavesThePixels() throws {
        let root = try workspace()
        for (folder, icc) in [("c", "convert"), ("s", "strip"), ("k", "keep")] {
            let run = try Tool.run(["images", "--out", folder, "--format", "png", "--size", "100x100", "--json", "--icc", icc], in: root)
            #expect(run.status == 0, "\(run.stderr)")
        }
        var records: [String] = []
        for name in Self.wide {
            let stem = OutputNaming.stem(of: name)
            let kept = root + "/k/\(stem).png"
            let code = NCLXColour(primaries: Self.primaries(name), transfer: 13, matrix: 0, fullRange: true)
            // The profile made in this process: the bytes are the same in every run.
            #expect(try PNGDecoder(path: kept, maxDimension: 1 << 16).iccProfile == code.iccProfile, "\(name)")
            #expect(try PNGDecoder(path: root + "/s/\(stem).png", maxDimension: 1 << 16).iccProfile == nil, "\(name)")
            #expect(try decode(kept).pixels == decode(root + "/s/\(stem).png").pixels, "\(name)")
            records.append(#"{"status":"ok","input":"k/\#(stem).png","output":"c/\#(stem).png"}"#)
        }
        // A colour-managed reader (Pillow's ImageCms) shows the kept thumbnail as the converted one.
        try Data(records.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: root + "/kept.jsonl"))
        let check = try Tool.runProgram(DifferentialTests.python, ["-W", "ignore", DifferentialTests.script, "kept.jsonl", "--blur", "0",
                                                                   "--min-psnr", "45"], in: root)
        #expect(check.status == 0 && check.stdout.contains("\"match\": 4"), "\(check.stdout)")
    }
}
