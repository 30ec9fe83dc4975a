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
            var info = stat()
            guard stat(input, &info) == 0 else {
                problems.append(InputProblem(path: input, reason: FileIO.errorText()))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                var visited = Set<[UInt64]>()
                walkFolder(input, relative: "", recursive: recursive, excluded: excluding.flatMap(folderID),
                           visited: &visited, files: &files, problems: &problems)
            } else {
                var relative = Substring(input)
                while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
                files.append(InputFile(path: input, relativePath: String(relative), size: Int(info.st_size),
                                       modified: modificationTime(info)))
            }
        }
        return (files, problems)
    }

    static func folderID(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
    }

    static func modificationTime(_ info: stat) -> Int64 {
        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    private static func walkFolder(_ folder: String, relative: String, recursive: Bool, excluded: [UInt64]?,
                                   visited: inout Set<[UInt64]>, files: inout [InputFile], problems: inout [InputProblem]) {
        var info = stat()
        guard stat(folder, &info) == 0 else {
            problems.append(InputProblem(path: folder, reason: FileIO.errorText()))
            return
        }
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else {
            problems.append(InputProblem(path: folder, reason: "symlink loop: folder already visited"))
            return
        }
        guard let dir = opendir(folder) else {
            problems.append(InputProblem(path: folder, reason: FileIO.errorText()))
            return
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(dir)
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        for name in names {
            let path = prefix + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var entry = stat()
            guard stat(path, &entry) == 0 else {
                if recursive { problems.append(InputProblem(path: path, reason: FileIO.errorText())) }
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR:
                if recursive && [UInt64(entry.st_dev), UInt64(entry.st_ino)] != excluded {
                    walkFolder(path, relative: rel, recursive: true, excluded: excluded, visited: &visited,
                               files: &files, problems: &problems)
                }
            case S_IFREG:
                guard ImageFormat.sniff(path: path) != nil else { continue }
                files.append(InputFile(path: path, relativePath: rel, size: Int(entry.st_size), modified: modificationTime(entry)))
            default:
                continue
            }
        }
    }

    /// Paths read from a file descriptor (stdin for the input `-`): one a line, or separated by
    /// NUL bytes with `nullSeparated` (`find -print0`). Empty entries are skipped; a trailing
    /// carriage return is kept (it may be part of a name).
    public static func readPathList(from fd: Int32, nullSeparated: Bool) -> [String] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        let separator: UInt8 = nullSeparated ? 0 : 0x0A
        return bytes.split(separator: separator, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }
}
