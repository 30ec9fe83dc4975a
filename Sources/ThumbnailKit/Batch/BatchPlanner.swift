#if canImport(Glibc)
import Glibc
#endif

/// A refusal before any work: the run cannot start as asked.
public struct BatchRefusal: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// True for mistakes in the command line (exit 64); false for environment trouble (exit 1).
    public var isUsage: Bool
}

/// What the user asked for, as far as choosing and naming the work goes.
public struct BatchRequest: Sendable {
    public var inputs: [String]
    public var outputFolder: String
    public var boxes: [BoxSize]
    public var format: ImageFormat? {
        get { formats.first }
        set { formats = newValue.map { [$0] } ?? [] }
    }
    /// `--format a,b,...`: every output is written in each (empty: the source's own format).
    public var formats: [ImageFormat] = []
    /// `--name`; nil for the default (`{name}.{ext}` with one box, `{name}_{size}.{ext}` with several).
    public var nameTemplate: String?
    public var recursive = false
    public var shard: Shard?
    /// Render everything, ignoring the incremental state.
    public var force = false
    /// `--manifest`: checked before any work, so that it can overwrite no source, thumbnail or state.
    public var manifestPath: String?
    /// `ThumbnailSpec.renderingKey`.
    public var renderingKey: String

    public init(inputs: [String], outputFolder: String, boxes: [BoxSize], format: ImageFormat?, renderingKey: String) {
        self.inputs = inputs
        self.outputFolder = outputFolder
        self.boxes = boxes
        self.formats = format.map { [$0] } ?? []
        self.renderingKey = renderingKey
    }

    /// The template in force.
    public var template: String {
        nameTemplate ?? (boxes.count > 1 ? OutputNaming.multiSizeTemplate : OutputNaming.singleSizeTemplate)
    }
}

/// One source's work: the job for a worker, the file it reads, its incremental-settings key.
public struct PlannedJob: Sendable {
    public var job: WorkerJob
    public var input: InputFile
    public var settings: String
}

/// A source skipped as up to date: what its record reports (a `RunRecord` is four times the
/// size, and a run may skip 100,000 sources).
public struct SkippedSource: Sendable {
    public var input: String
    public var sourceWidth: Int32
    public var sourceHeight: Int32
    public var outputs: [OutputRecord]
    /// Empty, or the one record's placeholders: an empty array costs 8 bytes and no allocation.
    private var placeholderList: [Placeholders]

    public init(input: String, record: RunRecord) {
        self.input = input
        sourceWidth = Int32(clamping: record.sourceWidth)
        sourceHeight = Int32(clamping: record.sourceHeight)
        outputs = record.outputs
        placeholderList = record.placeholders.map { [$0] } ?? []
    }

    /// The record as reported (the state's bookkeeping fields empty).
    public var record: RunRecord {
        RunRecord(size: 0, modified: 0, changed: 0, inode: 0, racy: false, fingerprint: "", settings: "",
                  sourceWidth: Int(sourceWidth), sourceHeight: Int(sourceHeight), outputs: outputs, recorded: 0,
                  placeholders: placeholderList.first)
    }
}

/// The work of a run: jobs (largest source first), sources skipped as up to date, unusable inputs.
public struct Batch {
    public var jobs: [PlannedJob]
    /// Up-to-date sources and what their records report.
    public var skipped: [SkippedSource]
    public var problems: [InputProblem]
    /// Files in walked folders that are not images, skipped (for the summary).
    public var otherFilesSkipped: Int
    public var state: RunState
}

/// Turns inputs and output settings into the jobs of a run, after checking everything that can be
/// checked before any work: the output folder can be made and written, no thumbnail would
/// overwrite a source, and no two sources would write the same thumbnail.
public enum BatchPlanner {
    public static func plan(_ request: BatchRequest) throws(BatchRefusal) -> Batch {
        try prepareFolder(request.outputFolder)
        let state = RunState(folder: request.outputFolder, shard: request.shard)
        // A source the state trusts unchanged (by its stat) is not read to learn its format.
        var walk = InputWalker.walk(request.inputs, recursive: request.recursive, excluding: request.outputFolder,
                                    knownFormat: request.force ? nil : { state.trustedFormat(of: $0) })
        // Filtered and sorted in place, one array of the sources at a time (memory at 100,000).
        var files = walk.files
        walk.files = []
        // Thumbnails an earlier run wrote here (an --out inside an input folder) are not sources.
        files.removeAll { state.isRecordedOutput($0.path) }
        if let shard = request.shard {
            files.removeAll { !shard.contains(relativePath: $0.relativePath) }
        }

        // Output names taken so far, by their hash: the index in `files` of the source taking each
        // (keeping the names themselves was 100,000 more strings). `collided`: the rare names
        // whose hash an earlier, different name had.
        var ownerOfHash: [Int: Int] = [:]
        var collided: [String: Int] = [:]
        var jobs: [PlannedJob] = []
        var skipped: [SkippedSource] = []
        skipped.reserveCapacity(files.count)
        // Only several inputs can name one path twice (a folder and a file in it).
        var seen: Set<String>? = request.inputs.count > 1 ? [] : nil
        var sourceIDs = Set<FileIdentity>(minimumCapacity: files.count)
        for file in files { sourceIDs.insert(file.identity) }
        let manifest = request.manifestPath.map { (path: FilePaths.absolute($0), identity: FileIdentity(path: $0)) }
        if let manifest, let id = manifest.identity, sourceIDs.contains(id) {
            throw BatchRefusal(description: "--manifest \(request.manifestPath!) is a source image; choose another path",
                               isUsage: true)
        }
        if let manifest, RunState.ownsFileName(OutputNaming.fileName(of: manifest.path)) {
            throw BatchRefusal(description: "--manifest \(request.manifestPath!) would overwrite the incremental state",
                               isUsage: true)
        }
        // Largest first; among equal sizes, path order, so the job order is the same every run.
        files.sort { $0.size != $1.size ? $0.size > $1.size : PathBytes.precedes($0.path, $1.path) }
        let sizedNames = request.template.hasSizePlaceholder
        // Several formats from one decode: one output per box and format (`<picture>` fallbacks).
        let formats: [ImageFormat?] = request.formats.isEmpty ? [nil] : request.formats
        let targets = request.boxes.flatMap { box in formats.map { (box, $0) } }
        func outputPath(of file: InputFile, _ box: BoxSize, _ format: ImageFormat?) -> String {
            OutputNaming.outputPath(relativePath: file.relativePath, in: request.outputFolder, template: request.template,
                                    box: box, format: format, mirrorTree: request.recursive, sourceFormat: file.format)
        }
        /// The index of the source that takes `candidate` as an output name, if any.
        func owner(of candidate: String) -> Int? {
            if let index = collided[candidate] { return index }
            guard let index = ownerOfHash[candidate.hashValue] else { return nil }
            // The same hash: the same name only if that source's names include it.
            let names = targets.flatMap { OutputNaming.candidates(outputPath(of: files[index], $0.0, $0.1)) }
            return names.contains(candidate) ? index : nil
        }
        func take(_ candidate: String, for index: Int) {
            let hash = candidate.hashValue
            if let existing = ownerOfHash[hash] {
                // Another source's different name had this hash (its own names are found again).
                if existing != index { collided[candidate] = index }
            } else {
                ownerOfHash[hash] = index
            }
        }
        /// The stats of this source's output candidates, taken once by `check` and used again
        /// by the state's up-to-date check.
        var outputStats: [(path: String, status: stat?)] = []
        /// Refuses `candidate`, an output of `file`, when it is another source's output, the
        /// manifest, or a source.
        func check(_ candidate: String, of file: InputFile) throws(BatchRefusal) {
            // With {width}/{height} in the name, one source's sizes get their names only once
            // rendered; only two different sources sharing a name is a sure collision.
            if let index = owner(of: candidate), case let other = files[index].path, other != file.path || !sizedNames {
                throw BatchRefusal(description: "\(other) and \(file.path) would both be written to \(candidate); "
                                   + "use --name, separate runs or --out folders", isUsage: true)
            }
            let status = state.outputStatus(candidate)  // one stat serves every check
            outputStats.append((candidate, status))
            let identity = status.map(FileIdentity.init)
            if let manifest, FilePaths.absolute(candidate) == manifest.path
                || (manifest.identity != nil && identity == manifest.identity) {
                throw BatchRefusal(description: "--manifest \(request.manifestPath!) would overwrite the thumbnail of \(file.path)",
                                   isUsage: true)
            }
            if let identity, sourceIDs.contains(identity) {
                throw BatchRefusal(description: "writing \(candidate) would overwrite a source image; choose another --out or --name",
                                   isUsage: true)
            }
        }
        for index in files.indices {
            let file = files[index]
            // The same path given twice (a folder and a file in it, say) is one job; two names of
            // one file (hard links, symlinks) are the user's names, each with its thumbnail.
            if seen != nil, !seen!.insert(FilePaths.absolute(file.path)).inserted { continue }
            var outputs: [OutputRequest] = []
            outputStats.removeAll(keepingCapacity: true)
            for (box, format) in targets {
                let output = outputPath(of: file, box, format)
                // A deferred extension (a GIF becomes .jpg or .png) is checked as every name it can become.
                for candidate in OutputNaming.candidates(output) {
                    try check(candidate, of: file)
                    take(candidate, for: index)
                }
                outputs.append(OutputRequest(path: output, box: box, format: format))
            }
            var key = StableHash()
            key.combine(request.renderingKey)
            for output in outputs { key.combine(state.storedPath(ofOutput: output.path)); key.combine(output.box.description) }
            if !request.force, let record = state.freshRecord(for: file, settings: key.hex, statusOf: { path in
                outputStats.first { $0.path == path }.map(\.status) ?? state.outputStatus(path)
            }) {
                skipped.append(SkippedSource(input: file.path, record: record))
                continue
            }
            jobs.append(PlannedJob(job: WorkerJob(id: jobs.count + 1, input: file.path, outputs: outputs),
                                   input: file, settings: key.hex))
        }
        state.finishPlanning(sources: files)
        // Mirrored trees: every output's folder must exist before a worker writes into it.
        var folders: Set<String> = [request.outputFolder]
        if request.recursive {
            folders.formUnion(jobs.flatMap { $0.job.outputs.map { OutputNaming.folder(of: $0.path) } })
            for folder in folders.sorted() { try prepareFolder(folder) }
        }
        for folder in folders.sorted() {
            FileIO.removeStaleTemporaryFiles(in: folder, names: folder == request.outputFolder ? state.hiddenNames : nil)
        }
        return Batch(jobs: jobs, skipped: skipped, problems: walk.problems, otherFilesSkipped: walk.otherFilesSkipped,
                     state: state)
    }

    /// Creates `folder` (and its parents) if missing and checks it can be written.
    static func prepareFolder(_ folder: String) throws(BatchRefusal) {
        var path = folder.hasPrefix("/") ? "/" : ""
        for part in folder.split(separator: "/") {
            path += (path.isEmpty || path.hasSuffix("/") ? "" : "/") + part
            if mkdir(PathBytes.systemPath(path), 0o755) != 0 && errno != EEXIST {
                throw BatchRefusal(description: "\(folder): cannot create output folder: \(FileIO.errorText())", isUsage: false)
            }
        }
        guard let info = FileIO.status(folder), (info.st_mode & S_IFMT) == S_IFDIR else {
            throw BatchRefusal(description: "\(folder): cannot create output folder: Not a directory", isUsage: false)
        }
        guard access(PathBytes.systemPath(folder), W_OK | X_OK) == 0 else {
            throw BatchRefusal(description: "\(folder): cannot write to output folder: \(FileIO.errorText())", isUsage: false)
        }
    }

}

extension String {
    /// True when a name template contains `{width}` or `{height}`, filled in after rendering.
    var hasSizePlaceholder: Bool { containsBytes(of: "{width}") || containsBytes(of: "{height}") }
}
