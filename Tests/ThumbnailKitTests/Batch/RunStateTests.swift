import Foundation
import Testing
@testable import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// The incremental state on its own: keys, the trust rule, fresh stats, dropping, shards' files,
/// corrupt files. Stats are set by hand where a test needs times the file system would not give.
@Suite struct RunStateTests {
    /// A folder with a source `p/x.jpg` (bytes `content`) and an output folder `t` holding its
    /// thumbnail `t/x.jpg` (`thumbnailBytes` long).
    struct Workspace {
        let root = Fixtures.temporaryFolder()
        var source: String { root + "/p/x.jpg" }
        var out: String { root + "/t" }
        let thumbnailBytes = 123

        init(content: String = "first content") throws {
            try FileManager.default.createDirectory(atPath: root + "/p", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
            try write(content, to: source)
            try Data(count: thumbnailBytes).write(to: URL(fileURLWithPath: out + "/x.jpg"))
        }

        func write(_ text: String, to path: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }

        /// `path` as an input, its times set to `modified`/`changed` (ns) when given.
        func input(_ path: String, modified: Int64? = nil, changed: Int64? = nil) throws -> InputFile {
            let info = try #require(FileIO.status(path))
            var file = InputFile(path: path, relativePath: (path as NSString).lastPathComponent, status: info)
            if let modified { file.modified = modified }
            if let changed { file.changed = changed }
            return file
        }

        func result(for path: String) throws -> RenderResult {
            RenderResult(sourceWidth: 10, sourceHeight: 8,
                         outputs: [OutputRecord(path: out + "/x.jpg", width: 5, height: 4, bytes: thumbnailBytes, box: "5x5")],
                         fingerprint: try FileIO.fingerprint(path: path))
        }

        func rows(_ fileName: String = RunState.fileName, folder: String? = nil) throws -> [String] {
            let database = try StateDatabase(path: out + "/" + fileName, writable: false)
            return try database.names(in: folder ?? (realpath(root + "/p", nil).map { String(cString: $0) } ?? ""))
        }
    }

    /// Times long past: a record of them is not racy.
    static let old: Int64 = 1_000_000_000_000_000_000

    @Test func aSourceHasOneKeyHoweverItsFolderIsNamedAndEachLinkItsOwn() throws {
        let space = try Workspace()
        let fm = FileManager.default
        try fm.createDirectory(atPath: space.root + "/q", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: space.root + "/link", withDestinationPath: "p")
        try fm.createSymbolicLink(atPath: space.root + "/p/alias.jpg", withDestinationPath: "x.jpg")
        try fm.linkItem(atPath: space.source, toPath: space.root + "/p/hard.jpg")
        let state = RunState(folder: space.out)
        let key = state.key(for: try space.input(space.source))
        #expect(key.name == "x.jpg")
        #expect(key.folder.hasPrefix("/") && !key.folder.contains(".."))
        for path in [space.root + "/q/../p/x.jpg", space.root + "/link/x.jpg", space.root + "/./p/x.jpg"] {
            #expect(state.key(for: try space.input(path)) == key, "\(path)")
        }
        // Names the user gave one file are separate sources: each gets its thumbnail.
        #expect(state.key(for: try space.input(space.root + "/p/alias.jpg")).name == "alias.jpg")
        #expect(state.key(for: try space.input(space.root + "/p/hard.jpg")) != key)
    }

    @Test func aMatchingStatIsTrustedOnlyWhenSizeMtimeCtimeAndInodeAllMatch() throws {
        let space = try Workspace(content: "AAAA")
        let input = try space.input(space.source, modified: Self.old, changed: Self.old)
        let writer = RunState(folder: space.out)
        writer.record(input, settings: "s", result: try space.result(for: space.source))
        writer.close()
        // Same-size new bytes in place (same inode): with the recorded stat, not even read.
        let handle = try #require(FileHandle(forWritingAtPath: space.source))
        try handle.write(contentsOf: Data("BBBB".utf8))
        try handle.close()
        let state = RunState(folder: space.out)
        #expect(state.freshRecord(for: input, settings: "s") != nil)
        #expect(state.freshRecord(for: input, settings: "other") == nil)
        // Any one of the four differing: the bytes are compared, and they differ.
        var moved = input
        moved.changed += 1  // what `touch -r` leaves: mtime restored, ctime moved on
        #expect(state.freshRecord(for: moved, settings: "s") == nil)
        moved = input
        moved.modified += 1
        #expect(state.freshRecord(for: moved, settings: "s") == nil)
        moved = input
        moved.identity.inode += 1
        #expect(state.freshRecord(for: moved, settings: "s") == nil)
        // A missing or resized thumbnail is not up to date either.
        try Data(count: 7).write(to: URL(fileURLWithPath: space.out + "/x.jpg"))
        #expect(state.freshRecord(for: input, settings: "s") == nil)
    }

    @Test func anUnchangedTouchedSourceIsFingerprintedOnceThenTrusted() throws {
        let space = try Workspace(content: "AAAA")
        let before = try space.input(space.source, modified: Self.old, changed: Self.old)
        let writer = RunState(folder: space.out)
        writer.record(before, settings: "s", result: try space.result(for: space.source))
        writer.close()
        // Touched: new times, same bytes. Fingerprinted, found unchanged, the new stat saved.
        let touched = try space.input(space.source, modified: Self.old + 5, changed: Self.old + 7)
        let second = RunState(folder: space.out)
        let fresh = try #require(second.freshRecord(for: touched, settings: "s"))
        #expect(fresh.modified == touched.modified && fresh.changed == touched.changed && !fresh.racy)
        second.finishPlanning(sources: [touched])
        second.close()
        // Now different same-size bytes behind that stat: trusted without reading, which shows
        // the third run does not fingerprint again.
        let handle = try #require(FileHandle(forWritingAtPath: space.source))
        try handle.write(contentsOf: Data("BBBB".utf8))
        try handle.close()
        let third = RunState(folder: space.out)
        #expect(third.freshRecord(for: touched, settings: "s") != nil)
        // The old stat no longer matches: fingerprinted, and the bytes differ.
        #expect(third.freshRecord(for: before, settings: "s") == nil)
    }

    @Test func aSourceChangedJustBeforeItsRunIsAlwaysFingerprinted() throws {
        let space = try Workspace(content: "AAAA")
        let input = try space.input(space.source)  // real times: just now
        let writer = RunState(folder: space.out)
        writer.record(input, settings: "s", result: try space.result(for: space.source))
        writer.close()
        let handle = try #require(FileHandle(forWritingAtPath: space.source))
        try handle.write(contentsOf: Data("BBBB".utf8))
        try handle.close()
        // Even with the very stat recorded: a write in the same timestamp tick would keep it.
        #expect(RunState(folder: space.out).freshRecord(for: input, settings: "s") == nil)
    }

    @Test func recordsOfGoneSourcesAreDropped() throws {
        let space = try Workspace()
        var inputs = [try space.input(space.source, modified: Self.old, changed: Self.old)]
        for i in 0..<600 {
            let path = space.root + "/p/n\(String(1000 + i)).jpg"
            try space.write("n\(i)", to: path)
            inputs.append(try space.input(path))
        }
        let writer = RunState(folder: space.out)
        for input in inputs { writer.record(input, settings: "s", result: try space.result(for: input.path)) }
        writer.close()
        #expect(try space.rows().count == 601)
        // A run over the whole folder after a few deletions: all of them dropped.
        for i in 0..<10 { try FileManager.default.removeItem(atPath: inputs[1 + i].path) }
        let whole = RunState(folder: space.out)
        whole.finishPlanning(sources: Array(inputs[11...]) + [inputs[0]])
        whole.close()
        #expect(try space.rows().count == 591)
        // Mass deletion, then runs over the one file left: each drops its share until none is left.
        for input in inputs[11...] { try FileManager.default.removeItem(atPath: input.path) }
        var counts: [Int] = []
        for _ in 0..<3 {
            let run = RunState(folder: space.out)
            run.finishPlanning(sources: [inputs[0]])
            run.close()
            counts.append(try space.rows().count)
        }
        // 2 x 1 source + 256 records read (and found gone) per run: 591 - 258, - 258, then the rest.
        #expect(counts == [333, 75, 1], "\(counts)")
        #expect(try space.rows() == ["x.jpg"])
    }

    @Test func eachShardKeepsItsOwnFileAndEveryRunReadsThemAll() throws {
        let space = try Workspace()
        let other = space.root + "/p/y.jpg"
        try space.write("y", to: other)
        let x = try space.input(space.source, modified: Self.old, changed: Self.old)
        let y = try space.input(other, modified: Self.old, changed: Self.old)
        let first = RunState(folder: space.out, shard: Shard(parsing: "1/2"))
        first.record(x, settings: "s", result: try space.result(for: x.path))
        let second = RunState(folder: space.out, shard: Shard(parsing: "2/2"))
        second.record(y, settings: "s", result: try space.result(for: y.path))
        // Both open at once, as shards on one machine are.
        first.close()
        second.close()
        #expect(try space.rows(".thumbnail-state.1-of-2.sqlite") == ["x.jpg"])
        #expect(try space.rows(".thumbnail-state.2-of-2.sqlite") == ["y.jpg"])
        let whole = RunState(folder: space.out)
        #expect(whole.freshRecord(for: x, settings: "s") != nil)
        #expect(whole.freshRecord(for: y, settings: "s") != nil)
        // A failed render here outranks the older good record in the shard's file.
        whole.forget(x)
        #expect(whole.freshRecord(for: x, settings: "s") == nil)
        whole.close()
        #expect(try space.rows(".thumbnail-state.1-of-2.sqlite") == ["x.jpg"])  // never written by others
        #expect(RunState(folder: space.out).freshRecord(for: x, settings: "s") == nil)
        // Newer settings in the run's own file win over the shard's older record of y.
        let rerun = RunState(folder: space.out)
        rerun.record(y, settings: "t", result: try space.result(for: y.path))
        #expect(rerun.freshRecord(for: y, settings: "s") == nil)
        #expect(rerun.freshRecord(for: y, settings: "t") != nil)
    }

    @Test func theRunsOwnThumbnailsAreKnownHoweverTheyAreNamed() throws {
        let space = try Workspace()
        let input = try space.input(space.source, modified: Self.old, changed: Self.old)
        let shard = RunState(folder: space.out, shard: Shard(parsing: "2/3"))
        shard.record(input, settings: "s", result: try space.result(for: space.source))
        shard.close()
        // Read from the shard's file by an unsharded run naming the folder another way.
        let state = RunState(folder: space.root + "/p/../t/")
        #expect(state.isRecordedOutput(space.out + "/x.jpg"))
        #expect(state.isRecordedOutput(space.root + "/t/./x.jpg"))
        #expect(!state.isRecordedOutput(space.out + "/y.jpg"))
        #expect(!state.isRecordedOutput(space.source))
        state.close()
        // A failed render: its outputs are no longer known to be the state's.
        let again = RunState(folder: space.out, shard: Shard(parsing: "2/3"))
        again.forget(input)
        again.close()
        #expect(!RunState(folder: space.out).isRecordedOutput(space.out + "/x.jpg"))
    }

    @Test func rowsAreOnDiskAsSoonAsTheyAreRecorded() throws {
        let space = try Workspace()
        let input = try space.input(space.source, modified: Self.old, changed: Self.old)
        let writer = RunState(folder: space.out)
        writer.record(input, settings: "s", result: try space.result(for: space.source))
        // Not closed (an interrupted run): another process's view already has the row.
        #expect(RunState(folder: space.out).freshRecord(for: input, settings: "s") != nil)
        withExtendedLifetime(writer) {}
    }

    @Test(arguments: ["garbage", "foreign", "empty"])
    func aCorruptOrForeignStateFileMeansAFullRunAndIsReplaced(kind: String) throws {
        let space = try Workspace()
        let path = space.out + "/" + RunState.fileName
        switch kind {
        case "garbage":
            var generator = SplitMix64(seed: 13)
            try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
        case "foreign":
            let database = try SQLiteConnection(path: path, readOnly: false)
            try database.execute("CREATE TABLE sources (path TEXT); INSERT INTO sources VALUES ('x.jpg')")
        default:
            try Data().write(to: URL(fileURLWithPath: path))
        }
        // The same in another shard's file: ignored, not replaced (it is not this run's).
        try Data("not a database, not at all, not even close to one".utf8)
            .write(to: URL(fileURLWithPath: space.out + "/.thumbnail-state.1-of-2.sqlite"))
        let input = try space.input(space.source, modified: Self.old, changed: Self.old)
        let state = RunState(folder: space.out)
        #expect(state.failure == nil)
        #expect(state.freshRecord(for: input, settings: "s") == nil)
        state.record(input, settings: "s", result: try space.result(for: space.source))
        state.close()
        #expect(state.failure == nil)
        #expect(RunState(folder: space.out).freshRecord(for: input, settings: "s") != nil)
        #expect(FileManager.default.fileExists(atPath: space.out + "/.thumbnail-state.1-of-2.sqlite"))
    }

    @Test func aSourcesFormatIsTrustedWithoutReadingItOnlyWhenItsStatMatches() throws {
        let space = try Workspace(content: "AAAA")
        var input = try space.input(space.source, modified: Self.old, changed: Self.old)
        input.format = .jpeg
        let writer = RunState(folder: space.out)
        writer.record(input, settings: "s", result: try space.result(for: space.source))
        writer.close()
        let state = RunState(folder: space.out)
        #expect(state.trustedFormat(of: input) == .jpeg)
        // Any of size, mtime, ctime (what `touch -r` leaves moved) or inode differing: read again.
        var moved = input
        moved.changed += 1
        #expect(state.trustedFormat(of: moved) == nil)
        moved = input
        moved.modified += 1
        #expect(state.trustedFormat(of: moved) == nil)
        moved = input
        moved.identity.inode += 1
        #expect(state.trustedFormat(of: moved) == nil)
        moved = input
        moved.size += 1
        #expect(state.trustedFormat(of: moved) == nil)
        state.close()
        // A racy record (the source changed just before its run) is never trusted either.
        var recent = try space.input(space.source)
        recent.format = .jpeg
        let racy = RunState(folder: space.out)
        racy.record(recent, settings: "s", result: try space.result(for: space.source))
        #expect(racy.trustedFormat(of: recent) == nil)
        // A failed render's row is not trusted.
        racy.record(input, settings: "s", result: try space.result(for: space.source))
        #expect(racy.trustedFormat(of: input) == .jpeg)
        racy.forget(input)
        #expect(racy.trustedFormat(of: input) == nil)
    }

    @Test func theWalkerReadsOnlyTheFilesWhoseFormatIsNotKnown() throws {
        let folder = Fixtures.temporaryFolder()
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/known.dat"))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/other.dat"))
        // What the state vouches for is taken as is; the rest is sniffed (and skipped here).
        let walk = InputWalker.walk([folder]) { $0.path.hasSuffix("/known.dat") ? .png : nil }
        #expect(walk.files.map { OutputNaming.fileName(of: $0.path) } == ["known.dat"])
        #expect(walk.files.first?.format == .png)
        #expect(walk.otherFilesSkipped == 1)
    }

    @Test func aVersionFourStateKeepsItsRecordsAndLearnsTheirFormats() throws {
        let space = try Workspace()
        var input = try space.input(space.source, modified: Self.old, changed: Self.old)
        input.format = .jpeg
        let shard = RunState(folder: space.out, shard: Shard(parsing: "1/2"))
        shard.record(input, settings: "s", result: try space.result(for: space.source))
        shard.close()
        // Made a version 4 file: no format column.
        let file = space.out + "/.thumbnail-state.1-of-2.sqlite"
        do {
            let database = try SQLiteConnection(path: file, readOnly: false)
            try database.execute("ALTER TABLE sources DROP COLUMN format; PRAGMA user_version=4")
        }
        // Read as another shard's file (read-only): its record holds, its format is unknown.
        let whole = RunState(folder: space.out)
        #expect(whole.freshRecord(for: input, settings: "s") != nil)
        #expect(whole.trustedFormat(of: input) == nil)
        whole.close()
        // Opened for writing: brought to version 5 in place, the record kept; an up-to-date
        // check saves the format it learnt, and the next run trusts it.
        let again = RunState(folder: space.out, shard: Shard(parsing: "1/2"))
        #expect(again.freshRecord(for: input, settings: "s") != nil)
        again.finishPlanning(sources: [input])
        again.close()
        #expect(try SQLiteConnection(path: file, readOnly: true).integer("PRAGMA user_version") == StateDatabase.schemaVersion)
        #expect(RunState(folder: space.out).trustedFormat(of: input) == .jpeg)
    }

    @Test func outputsSurviveTheRoundTripWhateverTheirNames() {
        let outputs = [OutputRecord(path: "t/a b\n\tc.jpg", width: 50, height: 33, bytes: 1188, box: "50x50"),
                       OutputRecord(path: "t/é-{width}.png", width: 1, height: 65535, bytes: 0, box: "x65535")]
        let encoded = StateDatabase.encodeOutputs(outputs)
        #expect(encoded.withUnsafeBytes { StateDatabase.decodeOutputs($0) } == outputs)
        #expect([UInt8]().withUnsafeBytes { StateDatabase.decodeOutputs($0) }.isEmpty)
    }

    /// An output folder unchanged since a run listed it is not read again (its listing comes from
    /// the state); any change to it (here a killed run's temporary file) means it is read, so
    /// nothing the listing is for (other shards' state files, stale temporary files) is missed.
    @Test func anUnchangedOutputFolderIsNotListedAgain() throws {
        let workspace = try Workspace()
        let first = RunState(folder: workspace.out)
        #expect(!first.listingRemembered)
        first.close()
        // Listings of folders changed within the racy window are never remembered.
        let second = RunState(folder: workspace.out)
        #expect(!second.listingRemembered)
        second.close()
        Thread.sleep(forTimeInterval: Double(RunState.racyWindow) / 1e9 + 0.2)
        let third = RunState(folder: workspace.out)
        #expect(!third.listingRemembered)
        third.close()
        let fourth = RunState(folder: workspace.out)
        #expect(fourth.listingRemembered)
        #expect(fourth.hiddenNames?.contains(RunState.fileName) == true)
        fourth.close()
        // A temporary file of a process that no longer exists: the folder changed, so it is read.
        let stale = FileIO.temporaryPrefix + "2147483646-1"
        try workspace.write("partial", to: workspace.out + "/" + stale)
        let fifth = RunState(folder: workspace.out)
        #expect(!fifth.listingRemembered)
        #expect(fifth.hiddenNames?.contains(stale) == true)
        fifth.close()
    }
}
