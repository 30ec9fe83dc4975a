#if canImport(Glibc)
import Glibc
#endif

/// One image file found among the inputs.
public struct InputFile: Equatable, Sendable {
    /// The path as the user gave it, or its folder's path joined with the names below it.
    public var path: String
    /// The path relative to the input that gave it (below a folder input: `a/b/x.jpg`; a file
    /// input: the path as given). Used to mirror trees (`--recursive`) and to pick shards.
    public var relativePath: String
    /// Its size in bytes (largest files are dispatched first).
    public var size: Int
    /// Its modification time in nanoseconds since the epoch.
    public var modified: Int64
    /// Its status change time (ctime) in nanoseconds since the epoch: incremental runs trust a
    /// source unchanged only when this matches too (it moves on `touch -r`, which mtime hides).
    public var changed: Int64
    /// Which file it is, whatever path names it.
    public var identity: FileIdentity

    public init(path: String, relativePath: String, status: stat) {
        self.path = path
        self.relativePath = relativePath
        size = Int(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        identity = FileIdentity(status)
    }
}

/// An input that could not be used (missing, unreadable folder, symlink loop...).
public struct InputProblem: Equatable, Sendable, Error {
    public var path: String
    public var reason: String
}

/// Turns the command line's inputs into image files. A file is taken as given (and fails later
/// with a clear reason if it is not an image); a folder gives the JPEG and PNG files in it,
/// recognised by their first bytes, hidden files and folders skipped, in name order; with
/// `recursive`, the folders below it too, each real folder once (a symlink loop is reported,
/// not followed).
public enum InputWalker {
    /// - Parameter excluding: a folder never descended into (the output folder, so that
    ///   `thumbnail -r . --out thumbs` does not thumbnail its own thumbnails on the next run).
    public static func walk(_ inputs: [String], recursive: Bool = false, excluding: String? = nil) -> (files: [InputFile], problems: [InputProblem]) {
        var files: [InputFile] = []
        var problems: [InputProblem] = []
        for input in inputs {
            guard let info = FileIO.status(input) else {
                problems.append(InputProblem(path: input, reason: FileIO.errorText()))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                var visited = Set<FileIdentity>()
                walkFolder(input, FileIdentity(info), relative: "", recursive: recursive,
                           excluded: excluding.flatMap { FileIdentity(path: $0) },
                           visited: &visited, files: &files, problems: &problems)
            } else {
                var relative = Substring(input)
                while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
                files.append(InputFile(path: input, relativePath: String(relative), status: info))
            }
        }
        return (files, problems)
    }

    /// Walks `folder` (whose identity the caller's stat already gave).
    private static func walkFolder(_ folder: String, _ identity: FileIdentity, relative: String, recursive: Bool,
                                   excluded: FileIdentity?, visited: inout Set<FileIdentity>,
                                   files: inout [InputFile], problems: inout [InputProblem]) {
        guard visited.insert(identity).inserted else {
            problems.append(InputProblem(path: folder, reason: "symlink loop: folder already visited"))
            return
        }
        guard var names = FileIO.entries(of: folder) else {
            problems.append(InputProblem(path: folder, reason: FileIO.errorText()))
            return
        }
        names = names.filter { !$0.hasPrefix(".") }
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        for name in names {
            let path = prefix + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            guard let entry = FileIO.status(path) else {
                if recursive { problems.append(InputProblem(path: path, reason: FileIO.errorText())) }
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR:
                let id = FileIdentity(entry)
                if recursive && id != excluded {
                    walkFolder(path, id, relative: rel, recursive: true, excluded: excluded, visited: &visited,
                               files: &files, problems: &problems)
                }
            case S_IFREG:
                guard ImageFormat.sniff(path: path) != nil else { continue }
                files.append(InputFile(path: path, relativePath: rel, status: entry))
            default:
                continue
            }
        }
    }

    /// Paths read from a file descriptor (stdin for the input `-`): one a line, or separated by
    /// NUL bytes with `nullSeparated` (`find -print0`). Empty entries are skipped; a trailing
    /// carriage return is kept (it may be part of a name).
    public static func readPathList(from fd: Int32, nullSeparated: Bool) -> [String] {
        let bytes = (try? FileIO.readToEnd(fd, sizeHint: 65536)) ?? []
        let separator: UInt8 = nullSeparated ? 0 : 0x0A
        return bytes.split(separator: separator, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }
}
