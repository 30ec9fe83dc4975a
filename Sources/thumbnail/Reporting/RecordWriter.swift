import ThumbnailKit

/// Where the per-thumbnail results go on stdout: one type per reporting style, as SwiftLint's
/// reporters are. Stderr (failures, progress, summary) is the `Reporter`'s.
protocol RecordWriter {
    /// Writes one record; `terminator` ends it (newline, or NUL with `--print0`).
    func write(_ record: ResultRecord)
    /// True when records go out even with `--quiet` (machine output is never silenced).
    var isMachineOutput: Bool { get }
    /// True when records of this status are written at all (none is made for nothing).
    func writes(_ status: ResultRecord.Status) -> Bool
}

/// The default style: the path of each thumbnail written, nothing else.
struct PathListWriter: RecordWriter {
    var terminator: String
    var isMachineOutput: Bool { false }
    func writes(_ status: ResultRecord.Status) -> Bool { status == .ok }

    func write(_ record: ResultRecord) {
        guard record.status == .ok, let path = record.output else { return }
        StandardStreams.output(path + terminator)
    }
}

/// `--json`: every record as one JSON object a line (JSON Lines).
struct JSONLinesWriter: RecordWriter {
    var terminator: String
    var isMachineOutput: Bool { true }
    func writes(_ status: ResultRecord.Status) -> Bool { true }

    func write(_ record: ResultRecord) {
        StandardStreams.output(bytes: JSONText.encode(record) + Array(terminator.utf8))
    }
}

