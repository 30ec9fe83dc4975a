import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// Runs the built `thumbnail` binary in temporary folders and checks files, stdout, stderr and
/// exit codes. The binary is $THUMBNAIL_BIN (set by `make test` to the release build), else the
/// debug build `swift test` makes.
enum Tool {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let fixtures = repo + "/Tests/Fixtures"

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["THUMBNAIL_BIN"], !path.isEmpty { return path }
        for candidate in [".build/debug/thumbnail", ".build/release/thumbnail"] {
            let path = repo + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return repo + "/.build/debug/thumbnail"
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs the tool with `arguments` in `folder`, feeding `input` on stdin.
    static func run(_ arguments: [String], in folder: String, input: String = "") throws -> Run {
        try runProgram(binary, arguments, in: folder, input: input)
    }

    /// Runs `program` with `arguments` in `folder`, feeding `input` on stdin.
    static func runProgram(_ program: String, _ arguments: [String], in folder: String, input: String = "") throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        // Output goes to files, so neither stream can fill a pipe and stall the tool.
        let outPath = NSTemporaryDirectory() + "thumbnail-out-" + UUID().uuidString
        let errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        inp.fileHandleForWriting.write(Data(input.utf8))
        try inp.fileHandleForWriting.close()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: URL(fileURLWithPath: outPath))
        let errData = try Data(contentsOf: URL(fileURLWithPath: errPath))
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh folder with copies of the given fixture files (relative to Tests/Fixtures) in `images/`.
    static func workspace(_ files: [String], names: [String]? = nil) throws -> String {
        let root = NSTemporaryDirectory() + "thumbnail-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        for (i, file) in files.enumerated() {
            let name = names?[i] ?? (file as NSString).lastPathComponent
            try FileManager.default.copyItem(atPath: fixtures + "/" + file, toPath: root + "/images/" + name)
        }
        return root
    }

    /// The visible files in `folder` (the hidden incremental state file left out).
    static func names(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Width, height and channels of an image file, through the library's own decoders.
    static func size(of path: String) throws -> (Int, Int, Int) {
        let image = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(path)
        return (image.width, image.height, image.channels)
    }
}

@Suite(.serialized) struct EndToEndTests {
    static let samples = ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "pngsuite/basn6a08.png", "pngsuite/basn0g16.png",
                          "jpeg/vgl_5674_0098.png"]

    @Test func thumbnailsAFolderLikeTheTutorialProgram() throws {
        let root = try Tool.workspace(Self.samples)
        let run = try Tool.run(["images/", "--out", "thumbs/"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = ["basn0g16.png", "basn6a08.png", "testimgint.jpg", "testorig.jpg", "vgl_5674_0098.png"]
        #expect(Tool.names(root + "/thumbs") == expected)
        #expect(Set(run.stdoutLines) == Set(expected.map { "thumbs/" + $0 }))
        #expect(run.stderrLines.count == 1)
        let summary = try #require(run.stderrLines.last)
        #expect(summary.range(of: #"^5 thumbnails in [0-9]+\.[0-9]{2} s \([0-9]+\.[0-9]/s\), 0 failed$"#,
                              options: .regularExpression) != nil, "\(summary)")
        // Pillow's sizes: 227x149 -> 50x33, 32x32 stays, 120x96 -> 50x40; formats kept.
        #expect(try Tool.size(of: root + "/thumbs/testorig.jpg") == (50, 33, 3))
        #expect(try Tool.size(of: root + "/thumbs/basn6a08.png") == (32, 32, 4))
        #expect(try Tool.size(of: root + "/thumbs/basn0g16.png") == (32, 32, 1))
        #expect(try Tool.size(of: root + "/thumbs/vgl_5674_0098.png") == (50, 40, 3))
        #expect(ImageFormat.sniff(path: root + "/thumbs/testorig.jpg") == .jpeg)
        #expect(ImageFormat.sniff(path: root + "/thumbs/vgl_5674_0098.png") == .png)
    }

    @Test func formatSizeAndBlurOptions() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "pngsuite/basn6a08.png"])
        let run = try Tool.run(["--format", "png", "--size", "100x", "--blur", "0", "--out", "o", "images"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/o") == ["basn6a08.png", "testorig.png"])
        #expect(try Tool.size(of: root + "/o/testorig.png") == (100, 66, 3))
        let jpeg = try Tool.run(["--format", "jpeg", "--size", "x10", "--quality", "90", "--out", "j", "images/basn6a08.png"], in: root)
        #expect(jpeg.status == 0, "\(jpeg.stderr)")
        #expect(jpeg.stdoutLines == ["j/basn6a08.jpg"])
        // Alpha flattened: JPEG has three channels.
        #expect(try Tool.size(of: root + "/j/basn6a08.jpg") == (10, 10, 3))
    }

    @Test func badImagesFailOneLineEachAndTheRestAreWritten() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "pngsuite/basn2c08.png"])
        let fm = FileManager.default
        let jpeg = try Data(contentsOf: URL(fileURLWithPath: Tool.fixtures + "/jpeg/testorig.jpg"))
        try jpeg.prefix(jpeg.count / 2).write(to: URL(fileURLWithPath: root + "/truncated.jpg"))
        try Data().write(to: URL(fileURLWithPath: root + "/empty.png"))
        try Data("hello".utf8).write(to: URL(fileURLWithPath: root + "/text.jpg"))
        let run = try Tool.run(["images", "truncated.jpg", "empty.png", "text.jpg", "missing.png", "--out", "t"], in: root)
        #expect(run.status == 1)
        #expect(Set(run.stdoutLines) == ["t/testorig.jpg", "t/basn2c08.png"])
        let errors = run.stderrLines.dropLast()
        #expect(errors.count == 4, "\(run.stderr)")
        #expect(errors.contains { $0.hasPrefix("thumbnail: truncated.jpg: truncated") })
        #expect(errors.contains { $0 == "thumbnail: empty.png: empty file" })
        #expect(errors.contains { $0 == "thumbnail: text.jpg: not a \(FormatTable.readableNames()) image" })
        #expect(errors.contains { $0 == "thumbnail: missing.png: No such file or directory" })
        #expect(run.stderrLines.last?.hasSuffix("2 thumbnails in") == false)
        #expect(run.stderrLines.last?.hasSuffix(", 4 failed") == true)
        #expect(fm.fileExists(atPath: root + "/t/truncated.jpg") == false)
        #expect(Tool.names(root + "/t") == ["basn2c08.png", "testorig.jpg"])
    }

    @Test(arguments: [["--size", "0x50"], ["--size", "big"], ["--quality", "0"], ["--quality", "101"], ["--jobs", "0"],
                      ["--format", "gif"], ["--blur", "-1"], []])
    func badUsageExits64BeforeWritingAnything(_ options: [String]) throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        let inputs = options.isEmpty ? [] : ["images"]
        let run = try Tool.run(inputs + options + ["--out", "never"], in: root)
        #expect(run.status == 64, "\(options): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(!run.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/never"))
    }

    @Test func refusesToOverwriteSourcesOrWriteOneNameTwice() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        let same = try Tool.run(["images", "--out", "images"], in: root)
        #expect(same.status == 64, "\(same.stderr)")
        #expect(same.stderr.contains("overwrite"))
        try FileManager.default.createDirectory(atPath: root + "/more", withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: root + "/images/testorig.jpg", toPath: root + "/more/testorig.jpg")
        let twice = try Tool.run(["images", "more", "--out", "t"], in: root)
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("images/testorig.jpg") && twice.stderr.contains("more/testorig.jpg"))
        #expect(Tool.names(root + "/t").isEmpty)
    }

    @Test func anUnwritableOutputFolderIsReportedOnceBeforeAnyWork() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/file"))
        let run = try Tool.run(["images", "--out", "file/sub"], in: root)
        #expect(run.status == 1)
        #expect(run.stderrLines.count == 1)
        #expect(run.stderr.contains("file/sub"))
        #expect(run.stdout.isEmpty)
    }

    @Test func oneWorkerOrManyGiveTheSameBytes() throws {
        let root = try Tool.workspace(Self.samples)
        let one = try Tool.run(["images", "--out", "one", "--jobs", "1"], in: root)
        let many = try Tool.run(["images", "--out", "many", "--jobs", "3"], in: root)
        #expect(one.status == 0 && many.status == 0)
        for name in Tool.names(root + "/one") {
            let a = try Data(contentsOf: URL(fileURLWithPath: root + "/one/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: root + "/many/" + name))
            #expect(a == b, "\(name)")
        }
        #expect(Tool.names(root + "/one").count == Self.samples.count)
    }

    @Test func awkwardFileNamesKeepTheirNames() throws {
        let names = ["with space.jpg", "ünïcödé.png", "-dash.jpg", "new\nline.png"]
        let root = try Tool.workspace(["jpeg/testorig.jpg", "pngsuite/basn2c08.png", "jpeg/testorig.jpg", "pngsuite/basn2c08.png"],
                                      names: names)
        let run = try Tool.run(["--out", "t", "--", "images"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Tool.names(root + "/t") == names.sorted())
    }
}
