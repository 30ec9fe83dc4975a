import Foundation
import Testing
@testable import ThumbnailKit

/// Pipelines and CI asset preprocessing, end to end on the built binary.
@Suite(.serialized) struct PipelineTests {
    static let samples = ["jpeg/testorig.jpg", "pngsuite/basn6a08.png", "jpeg/vgl_5674_0098.png", "pngsuite/basn2c16.png"]

    func data(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func readsPathsFromStdinByLineOrNUL() throws {
        let root = try Tool.workspace(Self.samples)
        let lines = try Tool.run(["-", "--out", "t"], in: root, input: "images/testorig.jpg\nimages/basn6a08.png\n")
        #expect(lines.status == 0, "\(lines.stderr)")
        #expect(Set(lines.stdoutLines) == ["t/testorig.jpg", "t/basn6a08.png"])
        try FileManager.default.copyItem(atPath: root + "/images/testorig.jpg", toPath: root + "/images/new\nline.jpg")
        let nul = try Tool.run(["-", "-0", "--out", "n", "--print0"], in: root,
                               input: "images/new\nline.jpg\0images/vgl_5674_0098.png\0")
        #expect(nul.status == 0, "\(nul.stderr)")
        let records = nul.stdout.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        #expect(Set(records) == ["n/new\nline.jpg", "n/vgl_5674_0098.png", ""])
        #expect(nul.stdout.hasSuffix("\0") && !nul.stdout.hasSuffix("\n\0"))
    }

    @Test func jsonLinesDescribeEveryThumbnailAndFailure() throws {
        let root = try Tool.workspace(Self.samples)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: root + "/bad.png"))
        let run = try Tool.run(["--json", "images", "bad.png", "--out", "t"], in: root)
        #expect(run.status == 1)
        let objects = try run.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.count == 5)
        let ok = objects.filter { $0["status"] as? String == "ok" }
        #expect(ok.count == 4)
        let photo = try #require(ok.first { $0["input"] as? String == "images/testorig.jpg" })
        #expect(photo["output"] as? String == "t/testorig.jpg")
        #expect(photo["width"] as? Int == 50 && photo["height"] as? Int == 33)
        #expect(photo["source_width"] as? Int == 227 && photo["source_height"] as? Int == 149)
        #expect(photo["bytes"] as? Int == (try data(root + "/t/testorig.jpg")).count)
        #expect(photo["ms"] is Double || photo["ms"] is Int)
        let failed = try #require(objects.first { $0["status"] as? String == "failed" })
        #expect(failed["input"] as? String == "bad.png")
        #expect((failed["error"] as? String)?.contains("not a \(FormatTable.readableNames)") == true)
    }

    @Test func recursiveRunsMirrorTheTreeAndReportLoops() throws {
        let root = try Tool.workspace([])
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/in/a/b", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Tool.fixtures + "/jpeg/testorig.jpg", toPath: root + "/in/top.jpg")
        try fm.copyItem(atPath: Tool.fixtures + "/pngsuite/basn2c08.png", toPath: root + "/in/a/b/deep.png")
        try fm.createSymbolicLink(atPath: root + "/in/a/b/loop", withDestinationPath: "..")
        let run = try Tool.run(["-r", "in", "--out", "out"], in: root)
        // A loop is reported but is no image's failure.
        #expect(run.status == 0)
        #expect(Set(run.stdoutLines) == ["out/top.jpg", "out/a/b/deep.png"])
        #expect(run.stderr.contains("in/a/b/loop: symlink loop"))
        #expect(fm.fileExists(atPath: root + "/out/a/b/deep.png"))
        // An output folder inside the input tree is never walked: a second run makes no thumbnails
        // of thumbnails.
        let inside = try Tool.run(["-r", "in", "--out", "in/thumbs"], in: root)
        #expect(inside.stdoutLines.count == 2)
        try fm.removeItem(atPath: root + "/in/thumbs/.thumbnail-state.json")
        let again = try Tool.run(["-r", "in", "--out", "in/thumbs"], in: root)
        #expect(Set(again.stdoutLines) == ["in/thumbs/top.jpg", "in/thumbs/a/b/deep.png"], "\(again.stdout)")
        #expect(!fm.fileExists(atPath: root + "/in/thumbs/thumbs"))
        // Without -r only the folder's own files.
        let flat = try Tool.run(["in", "--out", "flat"], in: root)
        #expect(flat.status == 0 && flat.stdoutLines == ["flat/top.jpg"])
    }

    @Test func secondRunSkipsWhatIsUpToDateAndRedoesWhatChanged() throws {
        let root = try Tool.workspace(Self.samples)
        let first = try Tool.run(["images", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 4)
        let firstBytes = try Tool.names(root + "/t").map { try data(root + "/t/" + $0) }

        let second = try Tool.run(["images", "--out", "t"], in: root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdoutLines.isEmpty)
        #expect(second.stderr.contains("0 thumbnails") && second.stderr.contains("4 up to date"))
        #expect(try Tool.names(root + "/t").map { try data(root + "/t/" + $0) } == firstBytes)

        // New content, same size, old mtime restored (as a cache or checkout does): rendered again.
        let fm = FileManager.default
        let photo = root + "/images/testorig.jpg"
        let mtime = try fm.attributesOfItem(atPath: photo)[.modificationDate] as! Date
        var bytes = try data(photo)
        let other = try data(Tool.fixtures + "/jpeg/testimgint.jpg")
        #expect(other.count != bytes.count)
        // Flip the picture's colours in one restart interval's worth of data? Simpler: a different,
        // same-size JPEG: the original with its comment-free quantisation nudged.
        bytes = try data(Tool.fixtures + "/jpeg/testorig.jpg")
        let dqt = try #require(bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
        bytes[dqt + 6] = bytes[dqt + 6] &+ 3
        try bytes.write(to: URL(fileURLWithPath: photo))
        try fm.setAttributes([.modificationDate: mtime], ofItemAtPath: photo)
        // A deleted thumbnail is made again too.
        try fm.removeItem(atPath: root + "/t/basn6a08.png")
        let third = try Tool.run(["images", "--out", "t"], in: root)
        #expect(third.status == 0)
        #expect(Set(third.stdoutLines) == ["t/testorig.jpg", "t/basn6a08.png"])

        // A changed setting renders everything; so does --force.
        let blur = try Tool.run(["images", "--out", "t", "--blur", "1"], in: root)
        #expect(blur.stdoutLines.count == 4)
        let force = try Tool.run(["images", "--out", "t", "--blur", "1", "--force"], in: root)
        #expect(force.stdoutLines.count == 4)
        let none = try Tool.run(["images", "--out", "t", "--blur", "1"], in: root)
        #expect(none.stdoutLines.isEmpty)

        // A corrupt state file means a full run, not a crash.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: root + "/t/.thumbnail-state.json"))
        let corrupt = try Tool.run(["images", "--out", "t", "--blur", "1"], in: root)
        #expect(corrupt.status == 0 && corrupt.stdoutLines.count == 4)
    }

    @Test func runsAreByteForByteDeterministic() throws {
        let root = try Tool.workspace(Self.samples)
        for out in ["a", "b"] {
            let run = try Tool.run(["images", "--out", out, "--size", "40x40,100x", "--manifest", out + ".json"], in: root)
            #expect(run.status == 0)
        }
        let names = Tool.names(root + "/a")
        #expect(names.count == 8)
        #expect(names == Tool.names(root + "/b"))
        for name in names { #expect(try data(root + "/a/" + name) == data(root + "/b/" + name), "\(name)") }
        let manifestA = String(decoding: try data(root + "/a.json"), as: UTF8.self)
        let manifestB = String(decoding: try data(root + "/b.json"), as: UTF8.self)
        #expect(manifestA.replacingOccurrences(of: "\"a/", with: "\"b/") == manifestB)
    }

    @Test func severalSizesFromOneDecodeWithNameTemplates() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        let run = try Tool.run(["images", "--out", "t", "--size", "64x64,20x,x10"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/t") == ["testorig_20x.jpg", "testorig_64x64.jpg", "testorig_x10.jpg"])
        #expect(try Tool.size(of: root + "/t/testorig_64x64.jpg") == (64, 42, 3))
        #expect(try Tool.size(of: root + "/t/testorig_x10.jpg") == (15, 10, 3))
        let named = try Tool.run(["images", "--out", "n", "--size", "64x64,32x32", "--format", "png",
                                  "--name", "{name}-{width}w.{ext}"], in: root)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(Tool.names(root + "/n") == ["testorig-32w.png", "testorig-64w.png"])
        let bad = try Tool.run(["images", "--out", "x", "--size", "64x64,32x32", "--name", "{name}.{ext}"], in: root)
        #expect(bad.status == 64)
    }

    @Test func shardsCoverEveryFileExactlyOnce() throws {
        let root = try Tool.workspace(PNGFiles.some(24))
        var seen: [String] = []
        for k in 1...3 {
            let run = try Tool.run(["images", "--out", "s\(k)", "--shard", "\(k)/3"], in: root)
            #expect(run.status == 0)
            seen += Tool.names(root + "/s\(k)")
        }
        #expect(seen.count == 24)
        #expect(Set(seen).count == 24)
        // Shards into one shared folder keep each other's records: a full run afterwards has
        // nothing left to do.
        for k in 1...3 { _ = try Tool.run(["images", "--out", "shared", "--shard", "\(k)/3"], in: root) }
        let all = try Tool.run(["images", "--out", "shared"], in: root)
        #expect(all.status == 0 && all.stdoutLines.isEmpty, "\(all.stderr)")
        #expect(all.stderr.contains("24 up to date"))
        // A file's shard does not depend on the other files: alone, it lands in the same shard.
        let lone = try Tool.workspace([PNGFiles.some(24)[5]])
        for k in 1...3 {
            _ = try Tool.run(["images", "--out", "s\(k)", "--shard", "\(k)/3"], in: lone)
        }
        let name = (PNGFiles.some(24)[5] as NSString).lastPathComponent
        let owner = try #require((1...3).first { Tool.names(root + "/s\($0)").contains(name) })
        #expect(Tool.names(lone + "/s\(owner)") == [name])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func aLiveProgressLineOnATerminalNeverGarblesThePaths() throws {
        let root = try Tool.workspace(Self.samples)
        // script(1) gives the tool a terminal for stdout and stderr alike.
        let command = "'\(Tool.binary)' images --out t"
        let run = try Tool.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], in: root)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("\r\u{1B}[K") && run.stdout.contains("/4 images"))
        // Every path starts on a clean line: right after a line clear, never after progress text.
        for name in ["testorig.jpg", "basn6a08.png", "vgl_5674_0098.png", "basn2c16.png"] {
            #expect(run.stdout.contains("\u{1B}[Kt/\(name)\r\n"), "\(name) garbled: \(run.stdout.debugDescription)")
        }
        #expect(run.stdout.contains("\u{1B}[K4 thumbnails in"))
    }

    @Test func progressOnlyWithoutEscapesWhenNotATerminal() throws {
        let root = try Tool.workspace(Self.samples)
        let plain = try Tool.run(["images", "--out", "t"], in: root)
        #expect(!plain.stderr.contains("\u{1B}") && !plain.stderr.contains("progress"))
        let forced = try Tool.run(["images", "--out", "u", "--progress"], in: root)
        #expect(forced.stderr.contains("progress: 4/4 images"))
        #expect(!forced.stderr.contains("\u{1B}"))
        let quiet = try Tool.run(["images", "--out", "v", "-q"], in: root)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }
}

enum PNGFiles {
    /// The first `count` PngSuite files, by name.
    static func some(_ count: Int) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: Tool.fixtures + "/pngsuite")) ?? [])
            .filter { $0.hasSuffix(".png") }.sorted()
        return names.prefix(count).map { "pngsuite/" + $0 }
    }
}
