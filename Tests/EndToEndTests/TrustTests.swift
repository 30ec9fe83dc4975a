import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// Issue 13's cases end to end: every input ends as a thumbnail or one stderr line naming it, and
/// nothing the user owns is overwritten or silently lost.
@Suite(.serialized) struct TrustTests {
    let photo = "jpeg/testorig.jpg"

    func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// The JSON records of a run's stdout.
    func records(_ run: Tool.Run) throws -> [[String: Any]] {
        try run.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    @Test func aJPEGDecodedWithAWarningIsRenderedNotBlack() throws {
        // One 0x00 byte before the DQT marker: libjpeg warns "1 extraneous bytes before marker".
        let root = try Tool.workspace([])
        var data = try bytes(Tool.fixtures + "/" + photo)
        let dqt = (0..<data.count - 1).first { data[$0] == 0xFF && data[$0 + 1] == 0xDB }!
        data.insert(0x00, at: dqt)
        try write(data, to: root + "/images/stray.jpg")
        let run = try Tool.run(["images", "--out", "t", "--format", "png", "--json"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/stray.png")
        // The picture, not black: its mean is that of the clean file's thumbnail.
        let clean = try ThumbnailRenderer(spec: ThumbnailSpec()).thumbnails(of: Tool.fixtures + "/" + photo,
                                                                            boxes: [BoxSize(width: 50, height: 50)])[0]
        #expect(thumb.psnr(to: clean) > 40)
    }

    @Test func namedAsAnImageButNotOneFailsByNameOthersAreCounted() throws {
        let root = try Tool.workspace([photo], names: ["good.jpg"])
        try write([], to: root + "/images/empty.jpg")
        try write(Array("hello".utf8), to: root + "/images/text.png")
        try write(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 20), to: root + "/images/anim.JPEG")
        try write(Array("notes".utf8), to: root + "/images/notes.txt")
        try write(Array("notes".utf8), to: root + "/images/README")
        let run = try Tool.run(["images", "--out", "t", "--json"], in: root)
        #expect(run.status == 1)
        let failed = try records(run).filter { $0["status"] as? String == "failed" }.map { $0["input"] as! String }.sorted()
        #expect(failed == ["images/anim.JPEG", "images/empty.jpg", "images/text.png"])
        #expect(run.stderrLines.contains("thumbnail: images/empty.jpg: empty file"))
        #expect(run.stderrLines.contains { $0.hasPrefix("thumbnail: images/text.png: not a") })
        #expect(run.stderr.contains("2 other files skipped"))
        #expect(Tool.names(root + "/t") == ["good.jpg"])
    }

    @Test func anUnreadableFileFailsByName() throws {
        // Root reads everything: drop to nobody for the run (setpriv, util-linux).
        let root = try Tool.workspace([photo, photo], names: ["a.jpg", "locked.jpg"])
        chmod(root, 0o777)
        chmod(root + "/images", 0o777)
        chmod(root + "/images/locked.jpg", 0o000)
        let run = try Tool.runProgram("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups",
                                                           Tool.binary, "images", "--out", "t"], in: root)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderrLines.contains { $0.hasPrefix("thumbnail: images/locked.jpg: cannot read: Permission denied") })
        #expect(Tool.names(root + "/t") == ["a.jpg"])
    }

    @Test func twoNamesOfOneFileEachGetTheirThumbnail() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])
        link(root + "/images/a.jpg", root + "/images/hard.jpg")
        symlink("a.jpg", root + "/images/soft.jpg")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/t") == ["a.jpg", "hard.jpg", "soft.jpg"])
        // Named explicitly, a second name is tried too; the same path twice is one job.
        let again = try Tool.run(["images/a.jpg", "images/hard.jpg", "./images/a.jpg", "--out", "u"], in: root)
        #expect(again.status == 0 && Set(again.stdoutLines) == ["u/a.jpg", "u/hard.jpg"] && again.stdoutLines.count == 2, "\(again)")
    }

    @Test func aSymlinkAliasIsMirroredOnlyAFolderContainingItselfIsALoop() throws {
        let root = try Tool.workspace([photo], names: ["real/x.jpg".replacingOccurrences(of: "/", with: "_")])
        try FileManager.default.createDirectory(atPath: root + "/images/real", withIntermediateDirectories: true)
        rename(root + "/images/real_x.jpg", root + "/images/real/x.jpg")
        symlink("real", root + "/images/alias")
        symlink("..", root + "/images/real/up")
        let run = try Tool.run(["-r", "images", "--out", "t"], in: root)
        #expect(run.status == 0, "a loop is no image's failure: \(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/t/real/x.jpg"))
        #expect(FileManager.default.fileExists(atPath: root + "/t/alias/x.jpg"))
        #expect(run.stderrLines.contains { $0.contains("images/real/up") && $0.contains("loop") }
                || run.stderrLines.contains { $0.contains("images/alias/up") && $0.contains("loop") })
    }

    @Test func nonUTF8NamesKeepTheirBytesEverywhere() throws {
        let root = try Tool.workspace([photo], names: ["plain.jpg"])
        let name: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".jpg".utf8)
        let source = PathBytes.decode(Array((root + "/images/").utf8) + name)
        #expect(PathBytes.encode(source) == Array((root + "/images/").utf8) + name)
        let fd = open(PathBytes.systemPath(source), O_WRONLY | O_CREAT, 0o644)
        FileIO.writeAll(fd, try bytes(root + "/images/plain.jpg"))
        close(fd)
        func made(_ folder: String) -> Bool {
            let path = PathBytes.systemPath(root + "/" + folder + "/").dropLast() + name.map { CChar(bitPattern: $0) } + [0]
            var info = stat()
            return Array(path).withUnsafeBufferPointer { stat($0.baseAddress!, &info) } == 0
        }
        // From a folder, from -r, and by name through the C argv (RawRun passes the bytes as they are).
        #expect(try Tool.run(["images", "--out", "a"], in: root).status == 0)
        #expect(made("a"))
        #expect(try Tool.run(["-r", "images", "--out", "b"], in: root).status == 0)
        #expect(made("b"))
        let byName = try RawRun.run(Tool.binary, [Array("images/".utf8) + name, Array("--out".utf8), Array("c".utf8)], in: root)
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(made("c"))
        // stdout carries the name's own bytes.
        #expect(byName.stdout == Array("c/".utf8) + name + [0x0A])
        // From stdin, and JSON gives the byte as \udce9 (Python's surrogateescape).
        let stdin = try RawRun.run(Tool.binary, [Array("-".utf8), Array("--out".utf8), Array("d".utf8), Array("--json".utf8)],
                                   in: root, input: Array("images/".utf8) + name + [0x0A])
        #expect(stdin.status == 0 && made("d"))
        #expect(String(decoding: stdin.stdout, as: UTF8.self).contains(#""input":"images/caf\udce9.jpg""#))
    }

    @Test func aFIFOAndDevStdinAreRefusedAtOnce() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])
        mkfifo(root + "/images/pipe.jpg", 0o644)
        mkfifo(root + "/images/pipe", 0o644)
        let start = Date()
        let run = try Tool.run(["images/pipe.jpg", "/dev/stdin", "images", "--out", "t", "--timeout", "30"], in: root)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(run.status == 1)
        #expect(run.stderrLines.filter { $0.contains("images/pipe.jpg: not a regular file") }.count == 2,
                "named, and met in the folder: \(run.stderr)")
        #expect(run.stderrLines.contains { $0.hasPrefix("thumbnail: /dev/stdin: not a regular file") })
        #expect(Tool.names(root + "/t") == ["a.jpg"])
    }

    @Test func aManifestPathThatIsASourceOrAnOutputIsRefused() throws {
        let root = try Tool.workspace([photo, photo], names: ["a.jpg", "b.jpg"])
        let before = try bytes(root + "/images/a.jpg")
        let onSource = try Tool.run(["--out", "t", "--manifest", "images/a.jpg", "images/a.jpg", "images/b.jpg"], in: root)
        #expect(onSource.status == 64)
        #expect(try bytes(root + "/images/a.jpg") == before)
        let onOutput = try Tool.run(["images", "--out", "t", "--manifest", "t/b.jpg"], in: root)
        #expect(onOutput.status == 64 && onOutput.stderr.contains("manifest"))
        let onState = try Tool.run(["images", "--out", "t", "--manifest", "t/.thumbnail-state.sqlite"], in: root)
        #expect(onState.status == 64)
        #expect(!FileManager.default.fileExists(atPath: root + "/t/b.jpg"), "refused before any work")
    }

    @Test func outputsInsideTheInputFolderAreNotSourcesNextTime() throws {
        let root = try Tool.workspace([photo, photo], names: ["a.jpg", "b.jpg"])
        let first = try Tool.run(["images", "--out", "images", "--name", "{name}_t.{ext}"], in: root)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Tool.run(["images", "--out", "images", "--name", "{name}_t.{ext}"], in: root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Tool.names(root + "/images") == ["a.jpg", "a_t.jpg", "b.jpg", "b_t.jpg"])
    }

    @Test func boxesGivingOneSizeWriteAndListOneFile() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])  // 227x149: under every box
        let run = try Tool.run(["images", "--out", "t", "--size", "320x,640x,1280x", "--name", "{name}-{width}w.{ext}",
                                "--manifest", "m.json"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutLines == ["t/a-227w.jpg"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/m.json"))) as! [String: Any]
        let source = (manifest["sources"] as! [[String: Any]])[0]
        let outputs = source["outputs"] as! [[String: Any]]
        #expect(outputs.count == 1)
        // Manifest paths are relative to its folder, with the --json field names.
        #expect(outputs[0]["output"] as? String == "t/a-227w.jpg")
        #expect(source["input"] as? String == "images/a.jpg")
    }

    @Test func temporaryFilesOfDeadProcessesAreRemovedNextRun() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])
        try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
        // A pid that cannot exist (above pid_max), and our own live one.
        try write([1, 2, 3], to: root + "/t/.thumbnail-tmp-99999999-1")
        try write([1, 2, 3], to: root + "/t/.thumbnail-tmp-\(getpid())-1")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/t/.thumbnail-tmp-99999999-1"))
        #expect(FileManager.default.fileExists(atPath: root + "/t/.thumbnail-tmp-\(getpid())-1"))
    }

    @Test(arguments: [
        (["--blur", "-1"], "--blur must be from"),
        (["--size", "-5x5"], "sides must be positive"),
        (["--timeout", "-1"], "--timeout must be more than 0"),
        (["--quality", "0"], "--quality must be from 1 to 100"),
        (["--name", ""], "--name must not be empty"),
        (["--out", ""], "--out must not be empty"),
    ])
    func badValuesSayWhatIsWrong(_ options: [String], _ message: String) throws {
        let root = try Tool.workspace([photo])
        let run = try Tool.run(["images"] + options, in: root)
        #expect(run.status == 64)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!run.stderr.contains("Missing value"))
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionsOfferFilesAndFormatsAndNoHelpSubcommand(_ shell: String) throws {
        let root = try Tool.workspace([])
        let run = try Tool.run(["--generate-completion-script", shell], in: root)
        #expect(run.status == 0)
        let script = run.stdout
        #expect(!script.contains("subcommand help"), "there is no help subcommand")
        #expect(!script.contains("->command"))
        #expect(script.contains("jpeg") && script.contains("png"), "--format's values")
        let files = ["bash": "__thumbnail_add_completions -f", "zsh": "'*:input:_files'", "fish": "-l 'out'"][shell]!
        #expect(script.contains(files))
        try Data(script.utf8).write(to: URL(fileURLWithPath: root + "/script"))
        // Syntax-checked by the shell itself where it is installed (bash always is).
        let interpreter = "/usr/bin/" + shell
        if FileManager.default.isExecutableFile(atPath: interpreter) {
            let check = try Tool.runProgram(interpreter, ["-n", "script"], in: root)
            #expect(check.status == 0, "\(check.stderr)")
        }
    }

    @Test func jsonRecordsAreWrittenEvenWithQuiet() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])
        let run = try Tool.run(["images", "--out", "t", "--json", "-q"], in: root)
        #expect(try records(run).map { $0["status"] as? String } == ["ok"])
        #expect(run.stderr.isEmpty)
    }

    @Test func aMaxPixelsRefusalCarriesTheHeaderSize() throws {
        let root = try Tool.workspace([photo], names: ["a.jpg"])
        let run = try Tool.run(["images", "--out", "t", "--json", "--max-pixels", "1000"], in: root)
        #expect(run.status == 1)
        let record = try records(run)[0]
        #expect(record["status"] as? String == "failed")
        #expect(record["source_width"] as? Int == 227 && record["source_height"] as? Int == 149)
    }
}

/// Runs a program with arguments given as raw bytes (names that are not UTF-8), through posix_spawn.
enum RawRun {
    struct Result { var status: Int32; var stdout: [UInt8]; var stderr: String }

    static func run(_ program: String, _ arguments: [[UInt8]], in folder: String, input: [UInt8] = []) throws -> Result {
        let dir = NSTemporaryDirectory() + "thumbnail-raw-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let inPath = dir + "/in", outPath = dir + "/out", errPath = dir + "/err"
        try Data(input).write(to: URL(fileURLWithPath: inPath))
        let argv = ([Array(program.utf8)] + arguments).map { bytes -> UnsafeMutablePointer<CChar>? in
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { p[i] = CChar(bitPattern: b) }
            p[bytes.count] = 0
            return p
        } + [nil]
        defer { for p in argv { p?.deallocate() } }
        // sh does the redirections and the cd, then execs the program with our argv ("$@").
        let script = "cd \"$1\" && shift && exec \"$@\" <\"\(inPath)\" >\"\(outPath)\" 2>\"\(errPath)\""
        let shArgs: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup(script), strdup("sh"), strdup(folder)]
        defer { for p in shArgs { free(p) } }
        var pid: pid_t = 0
        let all = shArgs + argv
        let status = posix_spawn(&pid, "/bin/sh", nil, nil, all, environ)
        guard status == 0 else { throw CocoaError(.fileReadUnknown) }
        var wait: Int32 = 0
        waitpid(pid, &wait, 0)
        return Result(status: (wait >> 8) & 0xFF, stdout: Array(try Data(contentsOf: URL(fileURLWithPath: outPath))),
                      stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self))
    }
}
