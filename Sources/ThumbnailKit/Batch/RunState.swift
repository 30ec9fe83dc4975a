import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What an earlier run made from one source, for incremental runs.
public struct RunRecord: Codable, Equatable, Sendable {
    public var size: Int
    public var modified: Int64
    public var fingerprint: String
    /// `ThumbnailSpec.renderingKey` plus the job's boxes and output names.
    public var settings: String
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var outputs: [OutputRecord]
    /// The `--placeholder` strings made with the thumbnails (nil without the option).
    public var placeholders: Placeholders? = nil
}

/// The incremental-run state of one output folder, kept in the hidden file `.thumbnail-state.json`
/// in it, like make's view of targets: a source whose thumbnails were made from the same bytes
/// with the same settings, and are all still there, is skipped without decoding. As git's index
/// does, a source whose size and modification time both match the record is trusted unchanged
/// without being read; otherwise its bytes are fingerprinted and compared (CI caches and checkouts
/// restore old mtimes on new content). A missing, corrupt or foreign state file means a full run.
public final class RunState {
    public static let fileName = ".thumbnail-state.json"
    static let format = "thumbnail-state-1"

    private struct Document: Codable {
        var format: String
        var records: [String: RunRecord]
    }

    public let folder: String
    public private(set) var records: [String: RunRecord]
    /// Sources this run recorded or forgot: on save, the others keep whatever the file says then.
    private var touched = Set<String>()

    /// Loads the state of `folder` (empty when there is none or it cannot be read as ours).
    public init(folder: String) {
        self.folder = folder
        records = Self.load(Self.path(in: folder))
    }

    private static func load(_ path: String) -> [String: RunRecord] {
        guard let bytes = try? FileIO.readAll(path: path),
              let document = try? JSONDecoder().decode(Document.self, from: Data(bytes)),
              document.format == format else { return [:] }
        return document.records
    }

    static func path(in folder: String) -> String {
        (folder.hasSuffix("/") ? folder : folder + "/") + fileName
    }

    /// The record of `input` if its thumbnails are up to date: same settings, every output still
    /// present, same bytes (trusted from size and mtime, or checked by fingerprint).
    public func freshRecord(for input: InputFile, settings: String) -> RunRecord? {
        guard var record = records[input.path], record.settings == settings, !record.outputs.isEmpty else { return nil }
        for output in record.outputs {
            guard let info = FileIO.status(output.path), Int(info.st_size) == output.bytes else { return nil }
        }
        if record.size == input.size && record.modified == input.modified { return record }
        guard record.size == input.size, let fingerprint = try? FileIO.fingerprint(path: input.path),
              fingerprint == record.fingerprint else { return nil }
        record.modified = input.modified
        records[input.path] = record
        touched.insert(input.path)
        return record
    }

    /// True when `path` is a thumbnail an earlier run into this folder wrote (recorded): with
    /// `--out` inside an input folder, the run's own outputs are not sources.
    public func isRecordedOutput(_ path: String) -> Bool {
        if recordedOutputs == nil {
            recordedOutputs = Set(records.values.flatMap { $0.outputs.map { FilePaths.absolute($0.path) } })
        }
        return recordedOutputs!.contains(FilePaths.absolute(path))
    }

    private var recordedOutputs: Set<String>?

    /// Records what was just made from `input`.
    public func record(_ input: InputFile, settings: String, result: RenderResult) {
        touched.insert(input.path)
        records[input.path] = RunRecord(size: input.size, modified: input.modified, fingerprint: result.fingerprint,
                                        settings: settings, sourceWidth: result.sourceWidth,
                                        sourceHeight: result.sourceHeight, outputs: result.outputs,
                                        placeholders: result.placeholders)
    }

    /// Forgets `input` (its render failed: whatever is on disk is not known to be current).
    public func forget(_ input: InputFile) {
        touched.insert(input.path)
        records[input.path] = nil
    }

    /// Writes the state atomically, merged with the file as it is now: another run into the same
    /// folder (another shard, say) that saved meanwhile keeps its records.
    public func save() throws(CodecError) {
        var merged = Self.load(Self.path(in: folder))
        for key in touched { merged[key] = records[key] }
        records = merged
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Document(format: Self.format, records: records))) ?? Data()
        try FileIO.writeAtomically(Array(data), to: Self.path(in: folder))
    }
}
