#if canImport(Glibc)
import Glibc
#endif

/// A refusal before any work: the run cannot start as asked.
public struct BatchRefusal: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// True for mistakes in the command line (exit 64); false for environment trouble (exit 1).
    public var isUsage: Bool
}

/// The jobs of a run, and the inputs that could not be used.
public struct Batch: Sendable {
    public var jobs: [WorkerJob]
    public var problems: [InputProblem]
}

/// Turns inputs and output settings into the jobs of a run, largest source first, after checking
/// everything that can be checked before any work: the output folder can be made and written, no
/// thumbnail would overwrite a source, and no two sources would write the same thumbnail.
public enum BatchPlanner {
    public static func plan(inputs: [String], outputFolder: String, box: BoxSize, format: ImageFormat?) throws(BatchRefusal) -> Batch {
        let (files, problems) = InputWalker.walk(inputs)
        try prepareFolder(outputFolder)

        var byOutput: [String: String] = [:]
        var jobs: [WorkerJob] = []
        let sourceIDs = Set(files.compactMap { fileID($0.path) })
        for file in files.sorted(by: { $0.size > $1.size }) {
            let output = OutputNaming.outputPath(for: file.path, in: outputFolder, format: format)
            if let other = byOutput[output] {
                if fileID(other) == fileID(file.path) { continue }  // the same file named twice
                throw BatchRefusal(description: "\(other) and \(file.path) would both be written to \(output); "
                                   + "use separate runs or --out folders", isUsage: true)
            }
            if let id = fileID(output), sourceIDs.contains(id) {
                throw BatchRefusal(description: "writing \(output) would overwrite a source image; choose another --out",
                                   isUsage: true)
            }
            byOutput[output] = file.path
            jobs.append(WorkerJob(id: jobs.count + 1, input: file.path, outputs: [OutputRequest(path: output, box: box)]))
        }
        return Batch(jobs: jobs, problems: problems)
    }

    /// Creates `folder` (and its parents) if missing and checks it can be written.
    static func prepareFolder(_ folder: String) throws(BatchRefusal) {
        var path = ""
        for part in folder.split(separator: "/", omittingEmptySubsequences: false) {
            path += (path.isEmpty && folder.hasPrefix("/") && part.isEmpty) ? "/" : (path.isEmpty || path == "/" ? "" : "/") + part
            if part.isEmpty { continue }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw BatchRefusal(description: "\(folder): cannot create output folder: \(FileIO.errorText())", isUsage: false)
            }
        }
        var info = stat()
        guard stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw BatchRefusal(description: "\(folder): output folder is not a folder", isUsage: false)
        }
        guard access(folder, W_OK | X_OK) == 0 else {
            throw BatchRefusal(description: "\(folder): cannot write to output folder: \(FileIO.errorText())", isUsage: false)
        }
    }

    /// Device and inode: the identity of a file whatever path names it.
    static func fileID(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }
}
