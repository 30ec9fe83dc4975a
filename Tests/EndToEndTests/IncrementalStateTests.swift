import Foundation
import Testing
@testable import ThumbnailKit

/// Incremental runs on the built binary: what the state recognises, trusts, keeps and drops.
/// The state files are read with Debian's Python sqlite3 module, a reader independent of the tool.
@Suite(.serialized) struct IncrementalStateTests {
    static let samples = ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "pngsuite/basn6a08.png", "pngsuite/basn2c16.png"]

    /// Rows of the state file `name` in `folder`, one line each, from an SQL query.
    func query(_ sql: String, in folder: String, file name: String = RunState.fileName) throws -> [String] {
        let script = """
            import sqlite3, sys
            db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
            for row in db.execute(sys.argv[2]):
                print("|".join(x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in row))
            """
        let run = try Tool.runProgram("/usr/bin/python3", ["-c", script, folder + "/" + name, sql], in: folder)
        try #require(run.status == 0, "\(run.stderr)")
        return run.stdoutLines
    }

    func summary(_ run: Tool.Run) -> String { run.stderrLines.last ?? "" }

    /// Writes `bytes` over the start of the file in place: same inode, same size.
    func overwrite(_ path: String, with bytes: Data) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: bytes)
        try handle.close()
    }

    @Test func theSameSourceNamedThreeWaysIsUpToDate() throws {
        let root = try Tool.workspace(Self.samples)
        let images = root + "/images"
        let out = root + "/t"
        let first = try Tool.run([".", "--out", "../t"], in: images)
        #expect(first.status == 0 && first.stdoutLines.count == 4, "\(first.stderr)")
        // The sources and the output folder named other ways, from other folders.
        for (input, output, folder) in [("../images", out, images), (images, "../t/", images), (images, out, "/"),
                                        ("images/", "./t", root)] {
            let again = try Tool.run([input, "--out", output], in: folder)
            #expect(again.status == 0 && again.stdoutLines.isEmpty, "\(input) from \(folder): \(again.stdout)")
            #expect(summary(again).hasSuffix("4 up to date"), "\(input): \(again.stderr)")
        }
        // Up-to-date records name the thumbnails as this run does (JSON records, manifests).
        let json = try Tool.run(["images", "--out", "t", "--json"], in: root)
        #expect(json.stdoutLines.count == 4 && json.stdoutLines.allSatisfy { $0.contains(#""output":"t\/"#) || $0.contains(#""output":"t/"#) },
                "\(json.stdout)")
        let single = try Tool.run(["./testorig.jpg", "../images/basn6a08.png", "--out", out], in: images)
        #expect(single.stdoutLines.isEmpty && summary(single).hasSuffix("2 up to date"), "\(single.stderr)")
        // One row per source, under its canonical folder.
        let rows = try query("SELECT folder, name FROM sources ORDER BY name", in: out)
        let resolved = try #require(realpath(images, nil))
        let canonical = String(cString: resolved)
        free(resolved)
        #expect(rows == ["basn2c16.png", "basn6a08.png", "testimgint.jpg", "testorig.jpg"].map { canonical + "|" + $0 })
    }

    @Test func aSameSizeEditWithItsMtimePutBackIsRenderedAgain() throws {
        let root = try Tool.workspace(Self.samples)
        let photo = root + "/images/testorig.jpg"
        // Old times, as a checkout or cache restores them, so nothing below is a racy record.
        _ = try Tool.runProgram("/usr/bin/touch", ["-d", "2020-01-01 12:00:00.123456789", photo], in: root)
        usleep(2_200_000)  // and its ctime too old to make the record racy: only the trust rule decides
        let first = try Tool.run(["images", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 4)
        let before = try Data(contentsOf: URL(fileURLWithPath: root + "/t/testorig.jpg"))
        let reference = root + "/reference"
        _ = try Tool.runProgram("/usr/bin/touch", ["-r", photo, reference], in: root)
        let statBefore = try #require(FileIO.status(photo))

        // A different picture of the same size, written in place, then the mtime put back.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: photo))
        let dqt = try #require(bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB })
        for i in (dqt + 5)..<(dqt + 69) { bytes[i] = bytes[i] / 2 + 1 }  // coarser quantisation
        try overwrite(photo, with: bytes)
        _ = try Tool.runProgram("/usr/bin/touch", ["-r", reference, photo], in: root)
        let statAfter = try #require(FileIO.status(photo))
        // Only the ctime tells: size, mtime (to the nanosecond) and inode are as recorded.
        #expect(statAfter.st_size == statBefore.st_size && statAfter.st_ino == statBefore.st_ino)
        #expect(statAfter.st_mtim.tv_sec == statBefore.st_mtim.tv_sec && statAfter.st_mtim.tv_nsec == statBefore.st_mtim.tv_nsec)

        let second = try Tool.run(["images", "--out", "t"], in: root)
        #expect(second.status == 0)
        #expect(second.stdoutLines == ["t/testorig.jpg"], "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/t/testorig.jpg")) != before)
    }

    @Test func aTouchedUnchangedSourceIsReadOnceThenTrusted() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        let photo = root + "/images/testorig.jpg"
        let first = try Tool.run(["images/testorig.jpg", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 1)
        _ = try Tool.runProgram("/usr/bin/touch", [photo], in: root)
        // Past the window in which a timestamp cannot prove anything (a write in the same tick).
        usleep(2_200_000)
        let touched = try #require(FileIO.status(photo))
        let stat = "\(touched.st_mtim.tv_sec * 1_000_000_000 + touched.st_mtim.tv_nsec)|"
            + "\(touched.st_ctim.tv_sec * 1_000_000_000 + touched.st_ctim.tv_nsec)|\(touched.st_ino)|0"
        #expect(try query("SELECT modified, changed, inode, racy FROM sources", in: root + "/t") != [stat])

        let second = try opens(of: photo, running: ["images/testorig.jpg", "--out", "t"], in: root)
        #expect(second.run.stdoutLines.isEmpty && summary(second.run).hasSuffix("1 up to date"), "\(second.run.stderr)")
        // The fresh stat is saved, and is not racy: the next run's trust rule matches it.
        #expect(try query("SELECT modified, changed, inode, racy FROM sources", in: root + "/t") == [stat])
        let third = try opens(of: photo, running: ["images/testorig.jpg", "--out", "t"], in: root)
        #expect(third.run.stdoutLines.isEmpty && summary(third.run).hasSuffix("1 up to date"))
        if let secondOpens = second.opens, let thirdOpens = third.opens {
            // The touched source is read (its first bytes, its fingerprint), then trusted from its
            // stat: not opened at all, not even to learn its format.
            #expect(secondOpens >= 1 && thirdOpens == 0, "\(secondOpens) then \(thirdOpens) opens")
        }
    }

    @Test func aFileChangedBehindItsMtimeIsReadAgainToLearnWhatItIs() throws {
        // A JPEG under a name that does not say so: only its first bytes make it a source.
        let root = try Tool.workspace(["jpeg/testorig.jpg", "pngsuite/basn6a08.png"], names: ["photo.dat", "b.png"])
        let photo = root + "/images/photo.dat"
        _ = try Tool.runProgram("/usr/bin/touch", ["-d", "2020-01-01 12:00:00.123456789", photo], in: root)
        usleep(2_200_000)  // past the racy window: the stat alone decides
        let first = try Tool.run(["images", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 2, "\(first.stderr)")
        let untouched = try Tool.run(["images", "--out", "t"], in: root)
        #expect(untouched.status == 0 && summary(untouched).hasSuffix("2 up to date"), "\(untouched.stderr)")
        // Now text of the same size, the mtime put back: size, mtime and inode as recorded.
        let reference = root + "/reference"
        _ = try Tool.runProgram("/usr/bin/touch", ["-r", photo, reference], in: root)
        let size = try #require(FileIO.status(photo)).st_size
        try overwrite(photo, with: Data(repeating: UInt8(ascii: "x"), count: Int(size)))
        _ = try Tool.runProgram("/usr/bin/touch", ["-r", reference, photo], in: root)
        // Its ctime moved: sniffed again, it is no image any more (skipped, not failed as a JPEG).
        let second = try Tool.run(["images", "--out", "t"], in: root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(summary(second).hasSuffix("1 up to date, 1 other file skipped"), "\(second.stderr)")
    }

    /// Runs the tool under strace when it can, counting the opens of `path`.
    func opens(of path: String, running arguments: [String], in folder: String) throws -> (run: Tool.Run, opens: Int?) {
        let strace = "/usr/bin/strace"
        let log = folder + "/strace-\(UUID().uuidString).log"
        if FileManager.default.isExecutableFile(atPath: strace) {
            let run = try Tool.runProgram(strace, ["-f", "-qq", "-e", "trace=open,openat", "-o", log, Tool.binary] + arguments, in: folder)
            // ptrace may be forbidden here: then only the state is checked.
            if let text = try? String(contentsOfFile: log, encoding: .utf8), !text.isEmpty,
               !run.stderr.contains("strace:") {
                return (run, text.split(separator: "\n").filter { $0.contains("\"\(path)\"") || $0.contains("\"images/testorig.jpg\"") }.count)
            }
        }
        return (try Tool.run(arguments, in: folder), nil)
    }

    @Test func recordsOfDeletedSourcesAreDropped() throws {
        let root = try Tool.workspace(Self.samples)
        let first = try Tool.run(["images", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 4)
        #expect(try query("SELECT count(*) FROM sources", in: root + "/t") == ["4"])
        try FileManager.default.removeItem(atPath: root + "/images/testimgint.jpg")
        try FileManager.default.removeItem(atPath: root + "/images/basn2c16.png")
        let second = try Tool.run(["images", "--out", "t"], in: root)
        #expect(second.status == 0 && summary(second).hasSuffix("2 up to date"))
        #expect(try query("SELECT name FROM sources ORDER BY name", in: root + "/t") == ["basn6a08.png", "testorig.jpg"])
    }

    @Test func anInterruptedRunKeepsTheRowsItFinished() throws {
        // Two slow sources first (the largest go first), then quick ones; one worker.
        let small = ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "jpeg/test422.jpg", "jpeg/test444.jpg",
                     "jpeg/testprog.jpg", "pngsuite/basn6a08.png"]
        let root = try Tool.workspace(["huge-20000x20000.png", "huge-20000x20000.png"] + small,
                                      names: ["huge1.png", "huge2.png"] + small.map { ($0 as NSString).lastPathComponent })
        let run = try BackgroundRun(["images", "--out", "t", "--jobs", "1"], in: root)
        #expect(run.wait(upTo: 60) { !run.stdout.isEmpty })
        kill(run.pid, SIGINT)
        #expect(run.finish() == 130, "\(run.stderr)")
        let finished = run.stdout.split(separator: "\n").map { ($0 as Substring).split(separator: "/").last.map(String.init) ?? "" }
        #expect(finished.count >= 1 && finished.count < 8, "\(run.stdout)")
        // Exactly what was reported done is recorded.
        let rows = try query("SELECT name FROM sources WHERE length(outputs) > 0 ORDER BY name", in: root + "/t")
        #expect(rows == finished.sorted())
        let rest = try Tool.run(["images", "--out", "t", "--jobs", "1"], in: root)
        #expect(rest.status == 0)
        #expect(rest.stdoutLines.count == 8 - finished.count, "\(rest.stdout)")
        #expect(summary(rest).hasSuffix("\(finished.count) up to date"), "\(rest.stderr)")
    }

    @Test func shardsIntoOneFolderKeepTheirOwnFilesAndAWholeRunSeesThemAll() throws {
        let root = try Tool.workspace(PNGFiles.some(12))
        // On one machine at once, into one folder.
        let shards = try (1...2).map { try BackgroundRun(["images", "--out", "t", "--shard", "\($0)/2"], in: root) }
        #expect(shards.map { $0.finish() } == [0, 0])
        let stateFiles = Tool.hidden(root + "/t").filter { $0.hasSuffix(".sqlite") }
        #expect(stateFiles == [".thumbnail-state.1-of-2.sqlite", ".thumbnail-state.2-of-2.sqlite"])
        let counts = try (1...2).map {
            try query("SELECT count(*) FROM sources", in: root + "/t", file: ".thumbnail-state.\($0)-of-2.sqlite")
        }
        #expect(counts.map { Int($0.first ?? "") ?? 0 }.reduce(0, +) == 12, "\(counts)")
        let whole = try Tool.run(["images", "--out", "t"], in: root)
        #expect(whole.status == 0 && whole.stdoutLines.isEmpty, "\(whole.stdout)")
        #expect(summary(whole).hasSuffix("12 up to date"), "\(whole.stderr)")
    }

    @Test func aCorruptStateFileMeansAFullRunThatSucceeds() throws {
        let root = try Tool.workspace(Self.samples)
        let first = try Tool.run(["images", "--out", "t"], in: root)
        #expect(first.status == 0 && first.stdoutLines.count == 4)
        var generator = SystemRandomNumberGenerator()
        let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try garbage.write(to: URL(fileURLWithPath: root + "/t/" + RunState.fileName))
        try garbage.write(to: URL(fileURLWithPath: root + "/t/.thumbnail-state.3-of-4.sqlite"))
        let second = try Tool.run(["images", "--out", "t"], in: root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdoutLines.count == 4 && second.stderrLines.count == 1, "\(second.stderr)")
        // The new state is whole again: the next run has nothing to do.
        let third = try Tool.run(["images", "--out", "t"], in: root)
        #expect(third.status == 0 && third.stdoutLines.isEmpty && summary(third).hasSuffix("4 up to date"))
    }

    @Test func versionOnesJSONStateIsIgnoredAndRemoved() throws {
        let root = try Tool.workspace(Self.samples)
        try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
        try Data(#"{"format":"thumbnail-state-1","records":{}}"#.utf8).write(to: URL(fileURLWithPath: root + "/t/.thumbnail-state.json"))
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0 && run.stdoutLines.count == 4)
        // The state file and its write-ahead log's two companions (kept between runs), nothing else.
        #expect(Tool.hidden(root + "/t") == [RunState.fileName, RunState.fileName + "-shm", RunState.fileName + "-wal"])
    }
}

extension Tool {
    /// The hidden files in `folder`, by name.
    static func hidden(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(".") }.sorted()
    }
}
