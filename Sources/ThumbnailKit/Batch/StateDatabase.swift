import FoundationEssentials
import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// One state file: an SQLite database with one row per source, keyed by the source's canonical
/// folder and its own name (`SourceKey`). WAL mode: runs on one machine that read and write the
/// same file (two runs into one folder) do so safely, readers never wait for the writer, and a
/// row is durable as soon as its one-row transaction commits.
final class StateDatabase {
    /// `PRAGMA application_id`: "THMB". A database without it is not ours.
    static let applicationID: Int64 = 0x5448_4D42
    /// `PRAGMA user_version`: the layout below. Version 4 (no `format` column) is read as is and
    /// brought to 5 when opened for writing; any other version is foreign (a full run).
    static let schemaVersion: Int64 = 5
    /// The version before `format`: still readable, its sources' formats unknown (sniffed again).
    static let formatlessVersion: Int64 = 4

    static let schema = """
        CREATE TABLE sources (
            folder BLOB NOT NULL, name BLOB NOT NULL,
            size INTEGER NOT NULL, modified INTEGER NOT NULL, changed INTEGER NOT NULL,
            inode INTEGER NOT NULL, racy INTEGER NOT NULL,
            fingerprint TEXT NOT NULL, settings TEXT NOT NULL,
            source_width INTEGER NOT NULL, source_height INTEGER NOT NULL,
            outputs BLOB NOT NULL, recorded INTEGER NOT NULL, extras TEXT NOT NULL,
            format TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (folder, name)
        ) WITHOUT ROWID;
        CREATE TABLE outputs (
            path BLOB NOT NULL PRIMARY KEY, folder BLOB NOT NULL, name BLOB NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX outputs_by_source ON outputs (folder, name);
        """

    /// Why a state file cannot be used.
    enum OpenFailure: Error, CustomStringConvertible {
        /// Not an SQLite database, damaged, or another program's or version's: never trusted.
        case unrecognised(String)
        /// Could not be opened or created (permissions, locked for too long...).
        case unusable(String)

        var description: String {
            switch self {
            case .unrecognised(let why), .unusable(let why): return why
            }
        }
    }

    let path: String
    private let connection: SQLiteConnection
    /// The lookup: the rows of one folder from a name on, in name order. Kept open between
    /// lookups, so sources looked up in name order (a walked folder's) are found by stepping it
    /// instead of a search from the root each (`seek`).
    private let cursor: SQLiteStatement
    /// Where `cursor` stands: it was started or moved on for `soughtName` in `cursorFolder`, and
    /// is on the first row at or after it (`cursorOnRow` false: there is none).
    private var cursorFolder: String?
    private var soughtName = ""
    private var cursorOnRow = false
    /// True while `beginReading` holds a read transaction open.
    private var reading = false
    private var upsert: SQLiteStatement?
    private var remove: SQLiteStatement?
    private var namesInFolder: SQLiteStatement?
    private var insertOutput: SQLiteStatement?
    private var removeOutputs: SQLiteStatement?
    private var findOutput: SQLiteStatement?

    /// Opens the state file at `path` and checks it is ours. `writable` creates it (in WAL mode,
    /// with its table) when it is missing or empty; otherwise it is only read.
    init(path: String, writable: Bool) throws(OpenFailure) {
        self.path = path
        let opened: (SQLiteConnection, SQLiteStatement)?
        do {
            opened = try Self.open(path, writable: writable)
        } catch {
            throw error.isCorrupt ? .unrecognised(error.message) : .unusable(error.message)
        }
        guard let opened else { throw .unrecognised("not a thumbnail state file") }
        (connection, cursor) = opened
    }

    /// The connection and the lookup statement; nil when the file is a database but not ours.
    private static func open(_ path: String, writable: Bool) throws(SQLiteError) -> (SQLiteConnection, SQLiteStatement)? {
        let connection = try SQLiteConnection(path: path, readOnly: !writable)
        if writable, try isFormatless(connection) {
            // Version 4: the same rows without the source's format. Brought up to date in place,
            // inside the write lock (another run may be doing the same), so its records stay valid.
            try connection.execute("BEGIN IMMEDIATE")
            if try isFormatless(connection) {
                try connection.execute("ALTER TABLE sources ADD COLUMN format TEXT NOT NULL DEFAULT ''; PRAGMA user_version=\(schemaVersion);")
            }
            try connection.execute("COMMIT")
        }
        let formatless = try isFormatless(connection)
        let ours = try isOurs(connection)
        if !formatless && !ours {
            // Only an empty file is made ours here; a file that is not ours is reported, never
            // changed in place (RunState replaces its own state file whole).
            guard writable, try isEmpty(connection) else { return nil }
            try connection.execute("PRAGMA journal_mode=WAL")
            try connection.execute("BEGIN IMMEDIATE")
            // Another run may have created it meanwhile: look again inside the lock.
            if try isEmpty(connection) {
                try connection.execute(schema + "PRAGMA application_id=\(applicationID); PRAGMA user_version=\(schemaVersion);")
            }
            try connection.execute("COMMIT")
            guard try isOurs(connection) else { return nil }
        }
        if writable {
            // WAL is persistent in the file (every later connection uses it); NORMAL syncs at
            // checkpoints only: a crash may lose the last rows, never the file's consistency.
            try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA journal_size_limit=0")
            // The log stays (truncated) between runs: creating and deleting it on every run would
            // change the output folder, and an unchanged folder is what lets a run trust its
            // remembered listing (`FolderListing`) instead of reading 100,000 names again.
            connection.persistWriteAheadLog()
        }
        // A version 4 file (read-only: another shard's, of an older binary) has no format: '' reads as unknown.
        let cursor = try connection.prepare("""
            SELECT name, size, modified, changed, inode, racy, fingerprint, settings, source_width, source_height,
                   outputs, recorded, extras, \(formatless ? "''" : "format") FROM sources
            WHERE folder = ?1 AND name >= ?2 ORDER BY name
            """)
        return (connection, cursor)
    }

    private static func isOurs(_ connection: SQLiteConnection) throws(SQLiteError) -> Bool {
        let application = try connection.integer("PRAGMA application_id")
        let version = try connection.integer("PRAGMA user_version")
        return application == applicationID && version == schemaVersion
    }

    private static func isFormatless(_ connection: SQLiteConnection) throws(SQLiteError) -> Bool {
        let application = try connection.integer("PRAGMA application_id")
        let version = try connection.integer("PRAGMA user_version")
        return application == applicationID && version == formatlessVersion
    }

    private static func isEmpty(_ connection: SQLiteConnection) throws(SQLiteError) -> Bool {
        let application = try connection.integer("PRAGMA application_id")
        let version = try connection.integer("PRAGMA user_version")
        let objects = try connection.integer("SELECT count(*) FROM sqlite_master")
        return application == 0 && version == 0 && objects == 0
    }

    /// The record of `key`, if there is one.
    func record(for key: SourceKey) throws(SQLiteError) -> RunRecord? {
        guard try seek(key) else { return nil }
        let row = cursor
        var record = RunRecord(size: Int(row.int64(1)), modified: row.int64(2), changed: row.int64(3),
                               inode: UInt64(bitPattern: row.int64(4)), racy: row.int64(5) != 0,
                               fingerprint: row.text(6), settings: row.text(7),
                               sourceWidth: Int(row.int64(8)), sourceHeight: Int(row.int64(9)),
                               outputs: Self.decodeOutputs(row.blob(10)), recorded: row.int64(11))
        if row.columnBytes(12) > 0 { RecordExtras.decode(row.text(12))?.apply(to: &record) }
        if row.columnBytes(13) > 0 { record.sourceFormat = ImageFormat(rawValue: row.text(13)) }
        return record
    }

    /// Puts the cursor on `key`'s row; false when there is none. From where it stands, a key a
    /// little further on in the same folder is reached by stepping (a source's rows are read in
    /// name order by the walk, and often by the planner); anything else starts it afresh there.
    private func seek(_ key: SourceKey) throws(SQLiteError) -> Bool {
        beginReading()
        if let cursorFolder, cursorFolder == key.folder, !PathBytes.precedes(key.name, soughtName) {
            soughtName = key.name
            // At most a few steps: past those, a search from the root costs less.
            for _ in 0..<8 {
                guard cursorOnRow else { return false }  // no row at or after an earlier name
                let order = Self.compare(cursor.blob(0), key.name)
                if order == 0 { return true }
                if order > 0 { return false }  // the first row after it: it has none
                self.cursorFolder = nil  // not standing anywhere if the step throws
                cursorOnRow = try cursor.step()
                self.cursorFolder = cursorFolder
            }
        }
        cursor.rewind()
        cursor.bind(1, blob: key.folder)
        cursor.bind(2, blob: key.name)
        cursorFolder = nil  // not standing anywhere if the step throws
        cursorOnRow = try cursor.step()
        cursorFolder = key.folder
        soughtName = key.name
        return cursorOnRow && Self.compare(cursor.blob(0), key.name) == 0
    }

    /// memcmp order of a blob and a name's bytes (SQLite's order of blobs).
    private static func compare(_ blob: UnsafeRawBufferPointer, _ name: String) -> Int32 {
        var name = name
        return name.withUTF8 { bytes in
            let common = min(blob.count, bytes.count)
            let order = common == 0 ? 0 : memcmp(blob.baseAddress!, bytes.baseAddress!, common)
            if order != 0 { return order }
            return blob.count == bytes.count ? 0 : (blob.count < bytes.count ? -1 : 1)
        }
    }

    /// Lets go of the cursor (before this connection writes, or stops reading).
    private func releaseCursor() {
        cursor.rewind()
        cursorFolder = nil
        cursorOnRow = false
    }

    /// What the trust rule needs of `key`'s record, without decoding the rest: its stat, whether
    /// it is racy, its source's format, and when it was recorded.
    func recordedStat(for key: SourceKey) throws(SQLiteError) -> RecordedStat? {
        guard try seek(key) else { return nil }
        let row = cursor
        return RecordedStat(size: Int(row.int64(1)), modified: row.int64(2), changed: row.int64(3),
                            inode: UInt64(bitPattern: row.int64(4)), racy: row.int64(5) != 0, recorded: row.int64(11),
                            format: row.columnBytes(13) > 0 ? ImageFormat(rawValue: row.text(13)) : nil)
    }

    /// Holds one read transaction open until `endReading`: every lookup in between sees one
    /// snapshot, and SQLite takes its WAL read lock (a few `fcntl` calls) once, not once a lookup.
    func beginReading() {
        guard !reading, sqlite3_get_autocommit(connection.handle) != 0 else { return }
        reading = (try? connection.execute("BEGIN DEFERRED")) != nil
    }

    /// Ends `beginReading`'s transaction (before this connection writes).
    func endReading() {
        releaseCursor()
        guard reading else { return }
        reading = false
        try? connection.execute("COMMIT")
    }

    /// Writes `record` as the row of `key`, and its outputs' paths (its own transaction unless
    /// one is open).
    func save(_ record: RunRecord, for key: SourceKey) throws(SQLiteError) {
        try transaction { () throws(SQLiteError) in
            try deleteOutputs(of: key)
            try saveRow(record, for: key)
            if insertOutput == nil {
                insertOutput = try connection.prepare("INSERT OR REPLACE INTO outputs (path, folder, name) VALUES (?1, ?2, ?3)")
            }
            guard let insertOutput else { return }
            for output in record.outputs {
                insertOutput.bind(1, blob: output.path)
                insertOutput.bind(2, blob: key.folder)
                insertOutput.bind(3, blob: key.name)
                try insertOutput.run()
            }
        }
    }

    private func deleteOutputs(of key: SourceKey) throws(SQLiteError) {
        if removeOutputs == nil { removeOutputs = try connection.prepare("DELETE FROM outputs WHERE folder = ?1 AND name = ?2") }
        guard let removeOutputs else { return }
        removeOutputs.bind(1, blob: key.folder)
        removeOutputs.bind(2, blob: key.name)
        try removeOutputs.run()
    }

    /// True when some source's record lists `path` (as the state keeps it) among its outputs.
    func hasOutput(_ path: String) throws(SQLiteError) -> Bool {
        if findOutput == nil { findOutput = try connection.prepare("SELECT 1 FROM outputs WHERE path = ?1") }
        guard let findOutput else { return false }
        beginReading()
        defer { findOutput.reset() }
        findOutput.bind(1, blob: path)
        return try findOutput.step()
    }

    private func saveRow(_ record: RunRecord, for key: SourceKey) throws(SQLiteError) {
        if upsert == nil {
            upsert = try connection.prepare("""
                INSERT OR REPLACE INTO sources (folder, name, size, modified, changed, inode, racy, fingerprint,
                    settings, source_width, source_height, outputs, recorded, extras, format)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                """)
        }
        guard let upsert else { return }
        upsert.bind(1, blob: key.folder)
        upsert.bind(2, blob: key.name)
        upsert.bind(3, Int64(record.size))
        upsert.bind(4, record.modified)
        upsert.bind(5, record.changed)
        upsert.bind(6, Int64(bitPattern: record.inode))
        upsert.bind(7, record.racy ? 1 : 0)
        upsert.bind(8, text: record.fingerprint)
        upsert.bind(9, text: record.settings)
        upsert.bind(10, Int64(record.sourceWidth))
        upsert.bind(11, Int64(record.sourceHeight))
        upsert.bind(12, blob: Self.encodeOutputs(record.outputs))
        upsert.bind(13, record.recorded)
        upsert.bind(14, text: RecordExtras(record).encoded())
        upsert.bind(15, text: record.sourceFormat?.rawValue ?? "")
        try upsert.run()
    }

    /// Deletes the row of `key` and its outputs'.
    func delete(_ key: SourceKey) throws(SQLiteError) {
        if remove == nil { remove = try connection.prepare("DELETE FROM sources WHERE folder = ?1 AND name = ?2") }
        guard let remove else { return }
        try transaction { () throws(SQLiteError) in
            remove.bind(1, blob: key.folder)
            remove.bind(2, blob: key.name)
            try remove.run()
            try deleteOutputs(of: key)
        }
    }

    /// The names of the sources recorded in `folder`, at most `limit` of them (in name order).
    func names(in folder: String, limit: Int = .max) throws(SQLiteError) -> [String] {
        if namesInFolder == nil {
            namesInFolder = try connection.prepare("SELECT name FROM sources WHERE folder = ?1 ORDER BY name LIMIT ?2")
        }
        guard let namesInFolder else { return [] }
        defer { namesInFolder.reset() }
        namesInFolder.bind(1, blob: folder)
        namesInFolder.bind(2, Int64(min(limit, Int(Int64.max))))
        var names: [String] = []
        while try namesInFolder.step() {
            names.append(String(decoding: namesInFolder.blob(0), as: UTF8.self))
        }
        return names
    }

    /// The output folder's listing remembered by an earlier run (`FolderListing`), or nil.
    func folderListing() -> FolderListing? {
        guard let statement = try? connection.prepare("SELECT device, inode, modified, changed, names FROM folder_listing WHERE id = 1"),
              (try? statement.step()) == true else { return nil }
        let names = FolderListing.decodeNames(statement.blob(4))
        return FolderListing(device: UInt64(bitPattern: statement.int64(0)), inode: UInt64(bitPattern: statement.int64(1)),
                             modified: statement.int64(2), changed: statement.int64(3), names: names)
    }

    /// Remembers `listing` (a table added on first use: older binaries of this schema ignore it).
    func saveFolderListing(_ listing: FolderListing) throws(SQLiteError) {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS folder_listing (id INTEGER PRIMARY KEY CHECK (id = 1), device INTEGER NOT NULL,
                inode INTEGER NOT NULL, modified INTEGER NOT NULL, changed INTEGER NOT NULL, names BLOB NOT NULL)
            """)
        let statement = try connection.prepare("INSERT OR REPLACE INTO folder_listing VALUES (1, ?1, ?2, ?3, ?4, ?5)")
        statement.bind(1, Int64(bitPattern: listing.device))
        statement.bind(2, Int64(bitPattern: listing.inode))
        statement.bind(3, listing.modified)
        statement.bind(4, listing.changed)
        statement.bind(5, blob: FolderListing.encodeNames(listing.names))
        try statement.run()
    }

    /// Runs `body` in one write transaction (one lock, one commit for many rows); inside one
    /// already open, simply runs it.
    func transaction(_ body: () throws(SQLiteError) -> Void) throws(SQLiteError) {
        endReading()
        guard sqlite3_get_autocommit(connection.handle) != 0 else { return try body() }
        try connection.execute("BEGIN IMMEDIATE")
        do {
            try body()
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    // Outputs as one blob: path, box, width, height, bytes and format of each, every field ended
    // by a NUL (which no path can contain). Faster to read back than JSON, and exact for any name's
    // bytes.
    static func encodeOutputs(_ outputs: [OutputRecord]) -> [UInt8] {
        var bytes: [UInt8] = []
        for output in outputs {
            for field in [output.path, output.box, String(output.width), String(output.height), String(output.bytes),
                          output.format ?? ""] {
                bytes += field.utf8
                bytes.append(0)
            }
        }
        return bytes
    }

    static func decodeOutputs(_ bytes: UnsafeRawBufferPointer) -> [OutputRecord] {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast()
        guard fields.count % 6 == 0 else { return [] }
        var outputs: [OutputRecord] = []
        var index = fields.startIndex
        while index < fields.endIndex {
            let text = { (offset: Int) in String(decoding: fields[index + offset], as: UTF8.self) }
            guard let width = Int(text(2)), let height = Int(text(3)), let size = Int(text(4)) else { return [] }
            var output = OutputRecord(path: text(0), width: width, height: height, bytes: size, box: text(1))
            let format = text(5)
            output.format = format.isEmpty ? nil : format
            outputs.append(output)
            index += 6
        }
        return outputs
    }
}

/// The part of a record the trust rule reads (`StateDatabase.recordedStat(for:)`).
struct RecordedStat {
    var size: Int
    var modified: Int64
    var changed: Int64
    var inode: UInt64
    var racy: Bool
    var recorded: Int64
    var format: ImageFormat?
}

/// What a record holds beyond the common columns, only when an option made it (placeholders,
/// `--max-bytes`' quality): JSON in the `extras` column, empty otherwise, so
/// the usual record costs nothing to read.
struct RecordExtras: Codable {
    struct Output: Codable { var quality: Int?; var overBudget: Bool? }
    var placeholders: Placeholders?
    var outputs: [Output]

    init(_ record: RunRecord) {
        placeholders = record.placeholders
        outputs = record.outputs.map { Output(quality: $0.quality, overBudget: $0.overBudget) }
    }

    /// The JSON, or "" when there is nothing to keep.
    func encoded() -> String {
        guard placeholders != nil || outputs.contains(where: { $0.quality != nil || $0.overBudget != nil })
        else { return "" }
        return String(decoding: JSONText.encode(self), as: UTF8.self)
    }

    static func decode(_ text: String) -> RecordExtras? {
        guard !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(RecordExtras.self, from: Data(text.utf8))
    }

    func apply(to record: inout RunRecord) {
        record.placeholders = placeholders
        for (index, extra) in zip(record.outputs.indices, outputs) {
            record.outputs[index].quality = extra.quality
            record.outputs[index].overBudget = extra.overBudget
        }
    }
}
