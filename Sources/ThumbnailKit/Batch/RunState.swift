#if canImport(Glibc)
import Glibc
#endif

/// What an earlier run made from one source, for incremental runs.
public struct RunRecord: Equatable, Sendable {
    public var size: Int
    /// The source's modification time (ns since the epoch) when it was read.
    public var modified: Int64
    /// The source's status change time (ns): moves on every write, rename, chmod or `touch -r`,
    /// and cannot be set back by the user.
    public var changed: Int64
    public var inode: UInt64
    /// The source changed too close to the run that recorded it for its times to prove anything
    /// (a timestamp tick holds more than one write): its stat is never trusted, only its bytes.
    public var racy: Bool
    public var fingerprint: String
    /// `ThumbnailSpec.renderingKey` plus the job's boxes and output names.
    public var settings: String
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Empty for a source whose last render failed (what is on disk is not known to be current).
    public var outputs: [OutputRecord]
    /// When the record was written (ns since the epoch, wall clock): of several state files'
    /// records of one source, the newest is the truth.
    public var recorded: Int64
    /// The `--placeholder` strings made with the thumbnails (nil without the option).
    public var placeholders: Placeholders? = nil
    /// The source's format by its first bytes, when the run that recorded it knew it (nil in
    /// records of state version 4): a source trusted unchanged by its stat is not read again to
    /// find it.
    public var sourceFormat: ImageFormat? = nil
}

/// Where a source's record is kept: its folder, canonical (symlinks and `..` resolved), and its
/// own name, not resolved, so `../p/x.jpg`, `/abs/p/x.jpg` and `./x.jpg` are one source while two
/// links to one file are two (each gets its thumbnail).
public struct SourceKey: Hashable, Sendable {
    public var folder: String
    public var name: String

    public var path: String { folder.hasSuffix("/") ? folder + name : folder + "/" + name }
}

/// The incremental-run state of one output folder, like make's view of targets: a source whose
/// thumbnails were made from the same bytes with the same settings, and are all still there, is
/// skipped without decoding.
///
/// The state is SQLite, one row per source, in hidden files in the output folder:
/// `.thumbnail-state.sqlite` for unsharded runs, `.thumbnail-state.K-of-N.sqlite` for `--shard K/N`
/// (SQLite's locks are unsafe on network filesystems, so shards on different machines writing
/// into one shared folder never write one file). A run writes only its own file, a row as each
/// result arrives (an interrupted run keeps what it finished), and reads every state file in the
/// folder when it decides what is up to date, the newest record of a source winning.
///
/// As git's index does, a source is trusted unchanged without being read only when its size,
/// mtime, ctime and inode all match the record (and the record is not racy); otherwise its bytes
/// are fingerprinted and compared, and when they match the fresh stat is saved so the next run
/// trusts it. Records of sources that are gone from a folder the run looked in are dropped. A
/// missing, corrupt or foreign state file means a full run. Version 1's `.thumbnail-state.json`
/// is not read (a full run) and is removed once the new state exists.
public final class RunState {
    /// The unsharded state file's name.
    public static let fileName = ".thumbnail-state.sqlite"
    static let legacyFileName = ".thumbnail-state.json"
    /// Records whose source changed less than this before the run started are racy: timestamps
    /// are coarse (a kernel tick, a second on some filesystems) and network servers' clocks drift.
    static let racyWindow: Int64 = 2_000_000_000

    public let folder: String
    /// `folder` ending in "/": outputs are kept relative to it, so a run that names the output
    /// folder another way (`t`, `../x/t`, `/abs/t`) finds the same thumbnails.
    private let outputPrefix: String
    /// `folder`, canonical.
    private let canonicalFolder: String
    /// This run's own state file.
    public let path: String
    /// The hidden names in the output folder when the state was opened (nil: it could not be read).
    public private(set) var hiddenNames: [String]?
    /// Why this run's results cannot be saved (the state file could not be opened or written),
    /// once per run; nil when all is well.
    public private(set) var failure: String?
    private var own: StateDatabase?
    private var others: [StateDatabase] = []
    private let started: Int64
    /// Canonical folders by the folder part of a path as given.
    private var canonicalFolders: [String: String] = [:]
    /// The last folder part looked up and its canonical folder: the sources of a walked folder
    /// come one after another, so most keys cost no dictionary lookup and no allocation.
    private var lastFolder: (given: String, canonical: String)?
    /// Fresh stats of sources fingerprinted unchanged, saved in one transaction after planning.
    private var refreshed: [(SourceKey, RunRecord)] = []
    /// The output folder, open, for stats of the outputs directly in it (no path walk each).
    private let outputFolderDescriptor: Int32
    /// The output folder's status before `hiddenNames` was read.
    private var folderStatus: stat?
    /// True when `hiddenNames` came from the state (`FolderListing`), not from the folder.
    private(set) var listingRemembered = false

    /// The state file name of `shard` (nil: an unsharded run).
    public static func fileName(shard: Shard?) -> String {
        guard let shard else { return fileName }
        return ".thumbnail-state.\(shard.index)-of-\(shard.count).sqlite"
    }

    /// True for any file the state keeps in an output folder: a state file, its `-wal` and `-shm`
    /// companions, version 1's JSON (nothing else may be written over them).
    public static func ownsFileName(_ name: String) -> Bool {
        name.hasPrefix(".thumbnail-state.")
    }

    /// True for the name of any run's state file (not its `-wal` and `-shm` companions).
    public static func isStateFileName(_ name: String) -> Bool {
        name.hasPrefix(".thumbnail-state.") && name.hasSuffix(".sqlite")
    }

    /// Opens the state of `folder` for a run of `shard`: its own file (created if missing,
    /// recreated if corrupt or foreign) and, read-only, every other state file there.
    public init(folder: String, shard: Shard? = nil) {
        self.folder = folder
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        outputPrefix = prefix
        canonicalFolder = Self.canonical(folder)
        path = prefix + Self.fileName(shard: shard)
        started = Self.now()
        outputFolderDescriptor = FileIO.openFolder(folder) ?? -1
        own = openOwn()
        if own != nil { unlink(prefix + Self.legacyFileName) }
        let ownName = Self.fileName(shard: shard)
        // The folder is read once (it holds a thumbnail per source): its hidden names serve the
        // planner's clean-up of temporary files too. Not at all when the folder has not changed
        // since a run remembered its listing: the cost of an up-to-date run then follows the
        // sources named, not the thumbnails in the folder.
        folderStatus = FileIO.status(folder)
        if let folderStatus, let remembered = own?.folderListing(), remembered.isCurrent(for: folderStatus) {
            hiddenNames = remembered.names
            listingRemembered = true
        } else {
            hiddenNames = FileIO.entries(of: folder, prefix: ".")
        }
        for name in (hiddenNames ?? []).filter({ Self.isStateFileName($0) && $0 != ownName }).sorted() {
            // Someone else's file that cannot be read as ours is ignored: its sources render again.
            if let database = try? StateDatabase(path: prefix + name, writable: false) { others.append(database) }
        }
    }

    deinit {
        if outputFolderDescriptor >= 0 { Glibc.close(outputFolderDescriptor) }
    }

    private func openOwn() -> StateDatabase? {
        do {
            return try StateDatabase(path: path, writable: true)
        } catch .unrecognised {
            // Garbage, damaged or not ours: start afresh (a full run), never trust it.
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
            do {
                let database = try StateDatabase(path: path, writable: true)
                return database
            } catch {
                failure = "cannot create incremental state \(path): \(error.description)"
                return nil
            }
        } catch {
            failure = "cannot open incremental state \(path): \(error.description)"
            return nil
        }
    }

    /// An output's path as the state keeps it (and as settings keys combine it): relative to the
    /// output folder, or absolute when it is not inside it.
    public func storedPath(ofOutput path: String) -> String {
        if path.hasPrefix(outputPrefix) { return String(path.dropFirst(outputPrefix.count)) }
        return path.hasPrefix("/") ? path : Self.canonical(".") + "/" + path
    }

    /// An output's path as this run names it, from the state's.
    private func runPath(ofOutput stored: String) -> String {
        stored.hasPrefix("/") ? stored : outputPrefix + stored
    }

    /// True when `path` is a thumbnail that a run into this folder recorded (with `--out`
    /// inside an input folder, a run's own outputs are not sources). Only files inside the
    /// output folder are looked up.
    public func isRecordedOutput(_ path: String) -> Bool {
        let key = key(forPath: path)
        // Most sources are not in the output folder: known from their folder, before any allocation.
        guard key.folder == canonicalFolder || key.folder.hasPrefix(canonicalFolder) else { return false }
        let file = key.path
        let inside = canonicalFolder.hasSuffix("/") ? canonicalFolder : canonicalFolder + "/"
        guard file.hasPrefix(inside) else { return false }
        let stored = String(file.dropFirst(inside.count))
        return ([own].compactMap { $0 } + others).contains { (try? $0.hasOutput(stored)) == true }
    }

    /// The key of `input`'s record.
    public func key(for input: InputFile) -> SourceKey { key(forPath: input.path) }

    /// The key of the source at `path`.
    func key(forPath path: String) -> SourceKey {
        // On the UTF-8 view: Character-wise `lastIndex(of:)` was a tenth of an up-to-date run.
        let bytes = path.utf8
        let slash = bytes.lastIndex(of: UInt8(ascii: "/"))
        let name = slash.map { String(path[bytes.index(after: $0)...]) } ?? path
        if let slash, slash != bytes.startIndex, let last = lastFolder,
           bytes.distance(from: bytes.startIndex, to: slash) == last.given.utf8.count,
           PathBytes.hasPrefix(path, last.given) {
            return SourceKey(folder: last.canonical, name: name)
        }
        let given = slash.map { $0 == bytes.startIndex ? "/" : String(path[..<$0]) } ?? "."
        defer { lastFolder = (given, canonicalFolders[given] ?? "") }
        if let folder = canonicalFolders[given] { return SourceKey(folder: folder, name: name) }
        let folder = Self.canonical(given)
        canonicalFolders[given] = folder
        return SourceKey(folder: folder, name: name)
    }

    private static func canonical(_ folder: String) -> String {
        if let resolved = realpath(folder, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        // A folder that cannot be resolved now: absolute at least, so the key is still stable.
        if folder.hasPrefix("/") { return folder }
        guard let current = getcwd(nil, 0) else { return folder }
        defer { free(current) }
        return String(cString: current) + "/" + folder
    }

    /// The record of `input` if its thumbnails are up to date: same settings, every output still
    /// present with its size, and the same bytes (trusted from the stat, or checked by fingerprint).
    /// - Parameter statusOf: the status of an output path (the planner passes the stats it
    ///   already took, so each output is looked at once a run).
    public func freshRecord(for input: InputFile, settings: String,
                            statusOf: (String) -> stat? = { FileIO.status($0) }) -> RunRecord? {
        let key = key(for: input)
        guard var record = newestRecord(for: key),
              record.settings == settings, !record.outputs.isEmpty, record.size == input.size else { return nil }
        for index in record.outputs.indices { record.outputs[index].path = runPath(ofOutput: record.outputs[index].path) }
        for output in record.outputs {
            guard let info = statusOf(output.path), Int(info.st_size) == output.bytes else { return nil }
        }
        if Self.trusts(record, input) {
            // A record of state version 4 learns its source's format once, so later runs need not sniff it.
            if record.sourceFormat == nil, input.format != nil {
                record.sourceFormat = input.format
                refreshed.append((key, stored(record)))
            }
            return record
        }
        guard let fingerprint = try? FileIO.fingerprint(path: input.path), fingerprint == record.fingerprint else {
            return nil
        }
        // Unchanged bytes: keep the fresh stat (in this run's own file) so the next run trusts it.
        stamp(&record, with: input)
        refreshed.append((key, stored(record)))
        return record
    }

    /// The format of `input` when its newest record trusts it unchanged by its stat alone (the
    /// rule of `freshRecord`) and knows its format: the walker then does not read its first bytes.
    /// A changed file (any of size, mtime, ctime, inode differing, or a racy record) gives nil
    /// and is sniffed.
    ///
    /// Only the stat columns are read here (the whole record is read once, by `freshRecord`): a
    /// cache of whole records between the walk and the planning held the state in memory.
    public func trustedFormat(of input: InputFile) -> ImageFormat? {
        guard let newest = newest(for: key(for: input), { (database: StateDatabase, key: SourceKey) throws(SQLiteError) in try database.recordedStat(for: key) }, recorded: \.recorded),
              Self.trusts(racy: newest.racy, size: newest.size, modified: newest.modified, changed: newest.changed,
                          inode: newest.inode, input) else { return nil }
        return newest.format
    }

    /// Git's rule: a source is unchanged without reading it only when its size, mtime, ctime and
    /// inode all match a record that is not racy.
    private static func trusts(racy: Bool, size: Int, modified: Int64, changed: Int64, inode: UInt64, _ input: InputFile) -> Bool {
        !racy && size == input.size && modified == input.modified && changed == input.changed && inode == input.identity.inode
    }

    private static func trusts(_ record: RunRecord, _ input: InputFile) -> Bool {
        trusts(racy: record.racy, size: record.size, modified: record.modified, changed: record.changed, inode: record.inode, input)
    }

    /// The newest of the records of `key` in the state files.
    private func newestRecord(for key: SourceKey) -> RunRecord? {
        newest(for: key, { (database: StateDatabase, key: SourceKey) throws(SQLiteError) in try database.record(for: key) }, recorded: \.recorded)
    }

    /// The newest (by `recorded`) of what `read` finds for `key` in this run's state file and the
    /// others' (a whole record, or only its stat columns).
    private func newest<Found>(for key: SourceKey, _ read: (StateDatabase, SourceKey) throws(SQLiteError) -> Found?,
                               recorded: (Found) -> Int64) -> Found? {
        // Own file first, then the others (no array of them made: this runs once a source).
        var newest = own.flatMap { try? read($0, key) }
        for database in others {
            if let found = try? read(database, key), newest.map({ recorded(found) > recorded($0) }) ?? true { newest = found }
        }
        return newest
    }

    /// The status of an output path: by name in the output folder's open descriptor when it is
    /// directly in it (no path walk), otherwise by path.
    public func outputStatus(_ path: String) -> stat? {
        if outputFolderDescriptor >= 0, path.utf8.count > outputPrefix.utf8.count, PathBytes.hasPrefix(path, outputPrefix),
           let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")),
           path.utf8.distance(from: path.utf8.startIndex, to: slash) == outputPrefix.utf8.count - 1 {
            return FileIO.status(String(path[path.utf8.index(after: slash)...]), in: outputFolderDescriptor)
        }
        return FileIO.status(path)
    }

    /// Ends planning: saves the fresh stats of sources fingerprinted unchanged, and drops the
    /// records of sources gone from the folders of `sources` (this run's inputs).
    ///
    /// Its cost follows the run's sources, not the size of the state: in each folder it reads at
    /// most twice as many records as the run has sources there (plus 256), and looks up those the
    /// run did not see. A run over a whole folder so checks all its records; a run over a few files
    /// of a big folder checks a few; after mass deletions each run over the folder drops at least
    /// as many records as it has sources, until none is left.
    public func finishPlanning(sources: [InputFile]) {
        defer { refreshed = [] }
        for database in others { database.endReading() }
        guard let own else { return }
        own.endReading()
        // The sources' names by folder (a walked folder's sources come together, in name order).
        var groups: [(folder: String, names: [String])] = []
        var groupOfFolder: [String: Int] = [:]
        for input in sources {
            let key = key(for: input)
            if let last = groups.indices.last, groups[last].folder == key.folder {
                groups[last].names.append(key.name)
            } else if let index = groupOfFolder[key.folder] {
                groups[index].names.append(key.name)
            } else {
                groupOfFolder[key.folder] = groups.count
                groups.append((key.folder, [key.name]))
            }
        }
        var gone: [SourceKey] = []
        for (folder, var names) in groups {
            // The state lists names in byte order (SQLite compares blobs with memcmp): a merge.
            if !PathBytes.isSorted(names) { names.sort(by: PathBytes.precedes) }
            let recorded = (try? own.names(in: folder, limit: 2 * names.count + 256)) ?? []
            var next = 0
            for name in recorded {
                while next < names.count && PathBytes.precedes(names[next], name) { next += 1 }
                if next < names.count && names[next].utf8.elementsEqual(name.utf8) { continue }
                let key = SourceKey(folder: folder, name: name)
                var info = stat()
                if lstat(PathBytes.systemPath(key.path), &info) != 0 && (errno == ENOENT || errno == ENOTDIR) { gone.append(key) }
            }
        }
        if refreshed.isEmpty && gone.isEmpty { return }
        do {
            try own.transaction { () throws(SQLiteError) in
                for (key, record) in refreshed { try own.save(record, for: key) }
                for key in gone { try own.delete(key) }
            }
        } catch {
            fail("cannot save incremental state \(path): \(error.description)")
        }
    }

    /// Records what was just made from `input`, at once (an interrupted run keeps it).
    public func record(_ input: InputFile, settings: String, result: RenderResult) {
        var record = RunRecord(size: 0, modified: 0, changed: 0, inode: 0, racy: true, fingerprint: result.fingerprint,
                               settings: settings, sourceWidth: result.sourceWidth, sourceHeight: result.sourceHeight,
                               outputs: result.outputs, recorded: 0)
        record.placeholders = result.placeholders
        record.sourceFormat = input.format
        stamp(&record, with: input)
        save(stored(record), for: input)
    }

    /// `record` with its outputs' paths as the state keeps them.
    private func stored(_ record: RunRecord) -> RunRecord {
        var record = record
        for index in record.outputs.indices { record.outputs[index].path = storedPath(ofOutput: record.outputs[index].path) }
        return record
    }

    /// Marks `input`'s thumbnails as not known to be current (its render failed). A row with no
    /// outputs, not a deleted row: it must outrank an older record of it in another state file.
    public func forget(_ input: InputFile) {
        let record = RunRecord(size: input.size, modified: input.modified, changed: input.changed,
                               inode: input.identity.inode, racy: true, fingerprint: "", settings: "",
                               sourceWidth: 0, sourceHeight: 0, outputs: [], recorded: Self.now())
        save(record, for: input)
    }

    /// Closes the state files (SQLite folds the write-ahead log into the file on the last close).
    public func close() {
        rememberListing()
        own = nil
        others = []
    }

    /// Saves the folder's listing for the next run when this run changed nothing in the folder
    /// (it wrote no thumbnail, removed no temporary file) and the folder was last changed well
    /// before the run began: a change in the same timestamp tick as the listing would otherwise go
    /// unseen (racy, as for sources).
    private func rememberListing() {
        guard !listingRemembered, let own, let before = folderStatus, let names = hiddenNames,
              let after = FileIO.status(folder) else { return }
        let listing = FolderListing(before, names: names)
        guard listing.isCurrent(for: after), listing.modified < started - Self.racyWindow,
              listing.changed < started - Self.racyWindow else { return }
        // Only a cost is lost if it cannot be saved: the next run reads the folder.
        try? own.saveFolderListing(listing)
    }

    private func save(_ record: RunRecord, for input: InputFile) {
        guard let own else { return }
        do { try own.save(record, for: key(for: input)) } catch {
            fail("cannot save incremental state \(path): \(error.description)")
        }
    }

    /// Sets `record`'s stat to `input`'s (as seen when the run planned, before anything read it).
    private func stamp(_ record: inout RunRecord, with input: InputFile) {
        record.size = input.size
        record.modified = input.modified
        record.changed = input.changed
        record.inode = input.identity.inode
        if let format = input.format { record.sourceFormat = format }
        record.recorded = Self.now()
        record.racy = max(input.modified, input.changed) > started - Self.racyWindow
    }

    private func fail(_ reason: String) {
        if failure == nil { failure = reason }
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
