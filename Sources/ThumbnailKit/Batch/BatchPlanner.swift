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

/// The work of a run: jobs (largest source first), sources skipped as up to date, unusable inputs.
public struct Batch {
    public var jobs: [PlannedJob]
    public var skipped: [(input: InputFile, record: RunRecord)]
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
        let walk = InputWalker.walk(request.inputs, recursive: request.recursive, excluding: request.outputFolder)
        let state = RunState(folder: request.outputFolder, shard: request.shard)
        // Thumbnails an earlier run wrote here (an --out inside an input folder) are not sources.
        var files = walk.files.filter { !state.isRecordedOutput($0.path) }
        if let shard = request.shard {
            files = files.filter { shard.contains(relativePath: $0.relativePath) }
        }

        var byOutput: [String: String] = [:]
        var jobs: [PlannedJob] = []
        var skipped: [(InputFile, RunRecord)] = []
        var seen = Set<String>()
        let sourceIDs = Set(files.map(\.identity))
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
        let ordered = files.sorted { $0.size != $1.size ? $0.size > $1.size : $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let sizedNames = request.template.hasSizePlaceholder
        // Several formats from one decode: one output per box and format (`<picture>` fallbacks).
        let formats: [ImageFormat?] = request.formats.isEmpty ? [nil] : request.formats
        let targets = request.boxes.flatMap { box in formats.map { (box, $0) } }
        /// Refuses `candidate`, an output of `file`, when it is another source's output, the
        /// manifest, or a source.
        func check(_ candidate: String, of file: InputFile) throws(BatchRefusal) {
            // With {width}/{height} in the name, one source's sizes get their names only once
            // rendered; only two different sources sharing a name is a sure collision.
            if let other = byOutput[candidate], other != file.path || !sizedNames {
                throw BatchRefusal(description: "\(other) and \(file.path) would both be written to \(candidate); "
                                   + "use --name, separate runs or --out folders", isUsage: true)
            }
            let identity = FileIdentity(path: candidate)  // one stat serves both checks
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
        for file in ordered {
            // The same path given twice (a folder and a file in it, say) is one job; two names of
            // one file (hard links, symlinks) are the user's names, each with its thumbnail.
            guard seen.insert(FilePaths.absolute(file.path)).inserted else { continue }
            var outputs: [OutputRequest] = []
            for (box, format) in targets {
                let output = OutputNaming.outputPath(relativePath: file.relativePath, in: request.outputFolder,
                                                     template: request.template, box: box, format: format,
                                                     mirrorTree: request.recursive, sourceFormat: file.format)
                // A deferred extension (a GIF becomes .jpg or .png) is checked as every name it can become.
                for candidate in OutputNaming.candidates(output) {
                    try check(candidate, of: file)
                    byOutput[candidate] = file.path
                }
                outputs.append(OutputRequest(path: output, box: box, format: format))
            }
            var key = StableHash()
            key.combine(request.renderingKey)
            for output in outputs { key.combine(state.storedPath(ofOutput: output.path)); key.combine(output.box.description) }
            if !request.force, let record = state.freshRecord(for: file, settings: key.hex) {
                skipped.append((file, record))
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
        for folder in folders.sorted() { FileIO.removeStaleTemporaryFiles(in: folder) }
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
