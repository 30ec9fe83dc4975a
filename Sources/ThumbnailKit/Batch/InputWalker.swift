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
    /// Its format by its first bytes, when the walker read them (nil: not known yet; the worker
    /// sniffs again and reports what it finds).
    public var format: ImageFormat?

    public init(path: String, relativePath: String, status: stat, format: ImageFormat? = nil) {
        self.path = path
        self.relativePath = relativePath
        self.format = format
        size = Int(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        identity = FileIdentity(status)
    }
}

/// An input that could not be used (missing, unreadable, not an image though named as one), or a
/// notice about one (a symlink loop, not followed).
public struct InputProblem: Equatable, Sendable, Error {
    public var path: String
    public var reason: String
    /// False for a notice that is no image's failure (a folder that contains itself): it is
    /// reported but does not make the run fail.
    public var isFailure = true

    public init(path: String, reason: String, isFailure: Bool = true) {
        self.path = path
        self.reason = reason
        self.isFailure = isFailure
    }
}

/// What walking the inputs found.
public struct WalkResult: Sendable {
    public var files: [InputFile] = []
    public var problems: [InputProblem] = []
    /// Files in walked folders that are neither named nor made as images (hidden files included):
    /// skipped, and counted in the summary.
    public var otherFilesSkipped = 0
}

/// Turns the command line's inputs into image files.
/// - A file named as an input (on the command line or stdin) is always tried, and fails later
///   with a clear reason if it is not an image; anything but a regular file (a FIFO, a device,
///   `/dev/stdin`) is refused at once by name, never opened.
/// - A folder gives the images in it, recognised by their first bytes, in name (byte) order. A
///   file there whose name says it is an image (`.jpg`, `.png`...) but which is not one, cannot be
///   read, or is not a regular file fails by name; other files are skipped and counted.
/// - With `recursive`, the folders below too. A folder reached twice through symlinks (an alias)
///   is walked each time, so both trees are mirrored; only a folder that contains itself (a loop)
///   is not followed, which is reported but is no image's failure.
public enum InputWalker {
    /// - Parameters:
    ///   - excluding: a folder never descended into (the output folder, so that
    ///     `thumbnail -r . --out thumbs` does not thumbnail its own thumbnails on the next run).
    ///   - knownFormat: the format of a regular file when it is known without reading it (the
    ///     incremental state trusts it unchanged: `RunState.trustedFormat(of:)`); nil reads its
    ///     first bytes, as for every file without it.
    public static func walk(_ inputs: [String], recursive: Bool = false, excluding: String? = nil,
                            knownFormat: ((InputFile) -> ImageFormat?)? = nil) -> WalkResult {
        var result = WalkResult()
        let excluded = excluding.flatMap { FileIdentity(path: $0) }
        for input in inputs {
            guard let info = FileIO.status(input) else {
                result.problems.append(InputProblem(path: input, reason: FileIO.errorText()))
                continue
            }
            // /dev/stdin and /proc/self/fd/N name the parent's own descriptors: a worker opening
            // the same name would read something else (its job pipe).
            let absolute = FilePaths.absolute(input)
            if absolute.hasPrefix("/dev/") || absolute.hasPrefix("/proc/") {
                result.problems.append(InputProblem(path: input, reason: "not a regular file (a device or process file)"))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                walkFolder(input, FileIdentity(info), relative: "", recursive: recursive, excluded: excluded,
                           ancestors: [], knownFormat: knownFormat, into: &result)
            case S_IFREG:
                var relative = Substring(input)
                while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
                // A named file is always tried; its first bytes only tell how its output is named.
                var file = InputFile(path: input, relativePath: String(relative), status: info)
                file.format = knownFormat?(file)
                    ?? (try? FileIO.readPrefix(path: input, count: FormatTable.sniffLength)).flatMap(ImageFormat.sniff)
                result.files.append(file)
            default:
                result.problems.append(InputProblem(path: input, reason: FileIO.notRegularFile(info)))
            }
        }
        return result
    }

    /// Walks `folder` (whose identity the caller's stat already gave); `ancestors` are the
    /// folders it lies in on this walk.
    private static func walkFolder(_ folder: String, _ identity: FileIdentity, relative: String, recursive: Bool,
                                   excluded: FileIdentity?, ancestors: [FileIdentity],
                                   knownFormat: ((InputFile) -> ImageFormat?)?, into result: inout WalkResult) {
        if ancestors.contains(identity) {
            result.problems.append(InputProblem(path: folder, reason: "symlink loop: this folder contains itself; not followed",
                                                isFailure: false))
            return
        }
        // Entries are looked up and opened relative to the open folder: one path component each,
        // not the whole path again.
        guard let descriptor = FileIO.openFolder(folder) else {
            result.problems.append(InputProblem(path: folder, reason: FileIO.errorText()))
            return
        }
        defer { close(descriptor) }
        guard var names = FileIO.entries(ofOpenFolder: descriptor) else {
            result.problems.append(InputProblem(path: folder, reason: FileIO.errorText()))
            return
        }
        // UTF-8 order (a byte escape sorts as its private-use scalar): deterministic, no allocation.
        names.sort(by: PathBytes.precedes)
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let inside = ancestors + [identity]
        for name in names {
            let path = prefix + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            if name.hasPrefix(".") {
                // The state's own files (open while the walk runs) are not the user's other files.
                if !RunState.ownsFileName(name) { result.otherFilesSkipped += 1 }
                continue
            }
            // Asked only of files that are not images by content (the common case never asks).
            var namedAsImage: Bool { ImageFormat.isImageName(name) }
            guard let entry = FileIO.status(name, in: descriptor) else {
                // A dangling symlink or a name that cannot be looked up.
                if namedAsImage || errno != ENOENT {
                    result.problems.append(InputProblem(path: path, reason: FileIO.errorText()))
                } else {
                    result.otherFilesSkipped += 1
                }
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR:
                let id = FileIdentity(entry)
                if recursive && id != excluded {
                    walkFolder(path, id, relative: rel, recursive: true, excluded: excluded, ancestors: inside,
                               knownFormat: knownFormat, into: &result)
                }
            case S_IFREG:
                var file = InputFile(path: path, relativePath: rel, status: entry)
                if let format = knownFormat?(file) {
                    file.format = format
                    result.files.append(file)
                    continue
                }
                let head: [UInt8]
                do {
                    head = try FileIO.readPrefix(path: name, in: descriptor, count: FormatTable.sniffLength)
                } catch {
                    // Unreadable (permissions): whatever it is, the user must hear of it.
                    result.problems.append(InputProblem(path: path, reason: error.description))
                    continue
                }
                if let format = ImageFormat.sniff(head) {
                    file.format = format
                    result.files.append(file)
                } else if namedAsImage {
                    let reason = head.isEmpty ? CodecError.empty.description : CodecError.notAnImage.description
                    result.problems.append(InputProblem(path: path, reason: reason))
                } else {
                    result.otherFilesSkipped += 1
                }
            default:
                if namedAsImage {
                    result.problems.append(InputProblem(path: path, reason: FileIO.notRegularFile(entry)))
                } else {
                    result.otherFilesSkipped += 1
                }
            }
        }
    }

    /// Paths read from a file descriptor (stdin for the input `-`): one a line, or separated by
    /// NUL bytes with `nullSeparated` (`find -print0`). Empty entries are skipped; a trailing
    /// carriage return is kept (it may be part of a name). Names keep their bytes (`PathBytes`).
    public static func readPathList(from fd: Int32, nullSeparated: Bool) -> [String] {
        let bytes = (try? FileIO.readToEnd(fd, sizeHint: 65536)) ?? []
        let separator: UInt8 = nullSeparated ? 0 : 0x0A
        return bytes.split(separator: separator, omittingEmptySubsequences: true).map { PathBytes.decode($0) }
    }
}
