#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small POSIX file helpers: whole-file reads, and writes that are never seen half-done.
public enum FileIO {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// The whole file at `path`.
    public static func readAll(path: String) throws(CodecError) -> [UInt8] {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        return try readAll(fd: fd)
    }

    /// The rest of the open regular file `fd`, sized by its `fstat`.
    public static func readAll(fd: Int32) throws(CodecError) -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(errorText()) }
        return try readToEnd(fd, sizeHint: Int(info.st_size))
    }

    /// Everything left to read from `fd` (a file or a pipe); `sizeHint` is the expected size.
    public static func readToEnd(_ fd: Int32, sizeHint: Int) throws(CodecError) -> [UInt8] {
        // Read straight into uninitialised storage: zero-filling 16 MB first would be a wasted pass.
        var failure: Int32 = 0
        var capacity = max(sizeHint, 0) + 1
        var bytes: [UInt8] = []
        while true {
            let previous = bytes
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var filled = previous.count
                if filled > 0 { _ = buffer.initialize(from: previous) }
                while filled < capacity {
                    let n = SystemCall.retrying { read(fd, buffer.baseAddress! + filled, capacity - filled) }
                    if n < 0 {
                        failure = errno
                        break
                    }
                    if n == 0 { break }
                    filled += n
                }
                count = filled
            }
            if failure != 0 { throw .unreadable(errorText(failure)) }
            // Short of capacity means end of input; filled to capacity, there may be more.
            if bytes.count < capacity { return bytes }
            capacity *= 2
        }
    }

    /// Opens `path` for reading, refusing anything but a regular file before it could block: a
    /// FIFO would wait for a writer forever, a device or `/dev/stdin` would read something else.
    /// `O_NONBLOCK` makes opening a FIFO return at once; it changes nothing for a regular file.
    /// - Parameter folder: an open folder `path` is relative to (`openat`), or `AT_FDCWD`.
    public static func openRegularFile(_ path: String, in folder: Int32 = AT_FDCWD) throws(CodecError) -> Int32 {
        let fd = SystemCall.retrying { openat(folder, PathBytes.systemPath(path), O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        guard fd >= 0 else { throw .unreadable(errorText()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let why = errorText()
            close(fd)
            throw .unreadable(why)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .unreadable(notRegularFile(info))
        }
        return fd
    }

    /// Why a file that is not a regular one is refused: "not a regular file (FIFO)".
    public static func notRegularFile(_ info: stat) -> String { "not a regular file (\(fileKind(info)))" }

    /// What kind of file a status describes, in words.
    public static func fileKind(_ info: stat) -> String {
        switch info.st_mode & S_IFMT {
        case S_IFREG: return "regular file"
        case S_IFDIR: return "folder"
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device"
        case S_IFBLK: return "block device"
        default: return "special file"
        }
    }

    /// Up to `count` bytes from the start of the regular file at `path`.
    /// - Parameter folder: an open folder `path` is relative to, or `AT_FDCWD`.
    public static func readPrefix(path: String, in folder: Int32 = AT_FDCWD, count: Int) throws(CodecError) -> [UInt8] {
        let fd = try openRegularFile(path, in: folder)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { raw in SystemCall.retrying { read(fd, raw.baseAddress! + filled, count - filled) } }
            guard n >= 0 else { throw .unreadable(errorText()) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed to disk, then
    /// renamed over `path`. A reader sees the old file or the whole new one, never a part; on any
    /// failure the temporary file is removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CodecError) {
        let temporary = temporaryPath(for: path)
        let temporaryName = PathBytes.systemPath(temporary)
        let fd = SystemCall.retrying { open(temporaryName, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw .writeFailed(errorText()) }
        if !writeAll(fd, bytes) {
            let why = errorText()
            close(fd)
            unlink(temporaryName)
            throw .writeFailed(why)
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let why = errorText()
            unlink(temporaryName)
            throw .writeFailed(why)
        }
        if rename(temporaryName, PathBytes.systemPath(path)) != 0 {
            let why = errorText()
            unlink(temporaryName)
            throw .writeFailed(why)
        }
    }

    /// Writes all of `bytes` to `fd`, however many writes it takes. False on failure (errno says
    /// why; EPIPE when a pipe's other end is gone).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in SystemCall.retrying { write(fd, raw.baseAddress! + written, bytes.count - written) } }
            if n < 0 { return false }
            written += n
        }
        return true
    }

    /// The names in `folder` but `.` and `..`, in directory order; nil (errno set) when it
    /// cannot be opened.
    public static func entries(of folder: String) -> [String]? {
        guard let dir = opendir(PathBytes.systemPath(folder)) else { return nil }
        defer { closedir(dir) }
        return names(in: dir, prefix: [])
    }

    /// The names in `folder` that start with `prefix` (compared as bytes before any name is
    /// decoded: an output folder holds a thumbnail per source, and only the tool's own hidden
    /// files are looked for); nil (errno set) when it cannot be opened.
    public static func entries(of folder: String, prefix: String) -> [String]? {
        guard let dir = opendir(PathBytes.systemPath(folder)) else { return nil }
        defer { closedir(dir) }
        return names(in: dir, prefix: PathBytes.encode(prefix))
    }

    /// The names in the open folder `fd` but `.` and `..`, in directory order; nil (errno set)
    /// when it cannot be read. `fd` stays open (a duplicate is read).
    public static func entries(ofOpenFolder fd: Int32) -> [String]? {
        let copy = dup(fd)
        guard copy >= 0 else { return nil }
        guard let dir = fdopendir(copy) else {
            let code = errno
            Glibc.close(copy)
            errno = code
            return nil
        }
        defer { closedir(dir) }
        return names(in: dir, prefix: [])
    }

    /// The names `dir` reads but `.` and `..` that start with the bytes `prefix`, decoded.
    private static func names(in dir: OpaquePointer, prefix: [UInt8]) -> [String] {
        var names: [String] = []
        while let entry = readdir(dir) {
            let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                guard raw.count >= prefix.count, memcmp(raw.baseAddress!, prefix, prefix.count) == 0 else { return nil }
                return PathBytes.decode(raw.prefix { $0 != 0 })
            }
            if let name, name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// `folder` opened for `openat`/`fstatat` (and reading its entries), or nil (errno set).
    public static func openFolder(_ folder: String) -> Int32? {
        let fd = SystemCall.retrying { open(PathBytes.systemPath(folder), O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        return fd >= 0 ? fd : nil
    }

    /// The status of `name` in the open folder `folder` (symlinks followed), or nil (errno set):
    /// one path component to look up instead of the whole path.
    public static func status(_ name: String, in folder: Int32) -> stat? {
        var info = stat()
        return fstatat(folder, PathBytes.systemPath(name), &info, 0) == 0 ? info : nil
    }

    /// The status of `path` (symlinks followed), or nil (errno set).
    public static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(PathBytes.systemPath(path), &info) == 0 ? info : nil
    }

    /// The status of `path` itself (a symlink is not followed), or nil (errno set).
    public static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(PathBytes.systemPath(path), &info) == 0 ? info : nil
    }

    /// Prefix of every temporary file name, so an interrupted run's leftovers are recognisable.
    public static let temporaryPrefix = ".thumbnail-tmp-"

    private nonisolated(unsafe) static var temporaryCounter = 0

    /// Removes the temporary files in `folder` left by processes that no longer exist (a run
    /// killed with SIGKILL, a machine that lost power). Files of live processes are left alone:
    /// they may belong to another run writing into the same folder.
    /// - Parameter names: names in `folder` already listed (those with the temporary prefix are
    ///   looked at), so that a big folder is not read again; nil lists it.
    public static func removeStaleTemporaryFiles(in folder: String, names: [String]? = nil) {
        for name in names ?? entries(of: folder, prefix: temporaryPrefix) ?? [] where name.hasPrefix(temporaryPrefix) {
            let rest = name.dropFirst(temporaryPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(PathBytes.systemPath(folder + "/" + name))
            }
        }
    }

    static func temporaryPath(for path: String) -> String {
        temporaryCounter += 1
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        // Not the target's own name: that one may already be as long as a name can be.
        return "\(folder)\(temporaryPrefix)\(getpid())-\(temporaryCounter)"
    }
}

extension FileIO {
    /// A stable fingerprint of the file's bytes (`Fingerprint`, 16 hex digits).
    public static func fingerprint(path: String) throws(CodecError) -> String {
        let fd = try openRegularFile(path)
        defer { close(fd) }
        return try fingerprint(fd: fd)
    }

    /// The fingerprint of the open file `fd` from its first byte, whatever its read position
    /// (`pread`), which is left unchanged.
    public static func fingerprint(fd: Int32) throws(CodecError) -> String {
        var fingerprint = Fingerprint()
        var info = stat()
        // A chunk no bigger than the file (most thumbnails' sources are small) and not zeroed.
        let size = fstat(fd, &info) == 0 ? max(min(Int(info.st_size), 1 << 20), 4096) : 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { chunk.deallocate() }
        var offset = 0
        while true {
            let n = SystemCall.retrying { pread(fd, chunk.baseAddress!, size, off_t(offset)) }
            if n < 0 { throw .unreadable(errorText()) }
            if n == 0 { break }
            fingerprint.add(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            offset += n
        }
        return fingerprint.hex
    }

    /// The fingerprint of bytes already in memory; equal to `fingerprint(path:)` of a file holding them.
    public static func fingerprint(bytes: [UInt8]) -> String {
        var fingerprint = Fingerprint()
        bytes.withUnsafeBytes { fingerprint.add($0) }
        return fingerprint.hex
    }
}

/// Device and inode: the identity of a file whatever path names it.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of the file at `path`, or nil when there is none.
    public init?(path: String) {
        guard let info = FileIO.status(path) else { return nil }
        self.init(info)
    }
}
