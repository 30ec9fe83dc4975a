#if canImport(Glibc)
import Glibc
#endif

/// One image file found among the inputs.
public struct InputFile: Equatable, Sendable {
    /// The path as the user gave it, or the folder's path joined with the file's name.
    public var path: String
    /// Its size in bytes (largest files are dispatched first).
    public var size: Int
}

/// An input that could not be used (missing, unreadable folder...).
public struct InputProblem: Equatable, Sendable, Error {
    public var path: String
    public var reason: String
}

/// Turns the command line's inputs into image files: a file is taken as given (and fails later
/// with a clear reason if it is not an image); a folder gives the JPEG and PNG files directly in
/// it, recognised by their first bytes, hidden files skipped, in name order.
public enum InputWalker {
    public static func walk(_ inputs: [String]) -> (files: [InputFile], problems: [InputProblem]) {
        var files: [InputFile] = []
        var problems: [InputProblem] = []
        for input in inputs {
            var info = stat()
            guard stat(input, &info) == 0 else {
                problems.append(InputProblem(path: input, reason: FileIO.errorText()))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                switch listFolder(input) {
                case .success(let found): files += found
                case .failure(let problem): problems.append(problem)
                }
            } else {
                files.append(InputFile(path: input, size: Int(info.st_size)))
            }
        }
        return (files, problems)
    }

    static func listFolder(_ folder: String) -> Result<[InputFile], InputProblem> {
        guard let dir = opendir(folder) else {
            return .failure(InputProblem(path: folder, reason: FileIO.errorText()))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        names.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        var files: [InputFile] = []
        for name in names {
            let path = prefix + name
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            guard ImageFormat.sniff(path: path) != nil else { continue }
            files.append(InputFile(path: path, size: Int(info.st_size)))
        }
        return .success(files)
    }
}
