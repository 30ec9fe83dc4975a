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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(errorText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable("not a regular file") }
        // Read straight into uninitialised storage: zero-filling 16 MB first would be a wasted pass.
        var failure: Int32 = 0
        var capacity = Int(info.st_size) + 1
        var bytes: [UInt8] = []
        while true {
            let previous = bytes
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                var filled = previous.count
                if filled > 0 { _ = buffer.initialize(from: previous) }
                while filled < capacity {
                    let n = read(fd, buffer.baseAddress! + filled, capacity - filled)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    if n == 0 { break }
                    filled += n
                }
                count = filled
            }
            if failure != 0 { throw .unreadable(errorText(failure)) }
            // Filled to capacity: the file grew since fstat; read on.
            if bytes.count < capacity { return bytes }
            capacity *= 2
        }
    }

    /// Up to `count` bytes from the start of the file at `path`.
    public static func readPrefix(path: String, count: Int) throws(CodecError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(errorText()) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress!, count) }
        guard n >= 0 else { throw .unreadable(errorText()) }
        return Array(bytes.prefix(n))
    }

    /// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed to disk, then
    /// renamed over `path`. A reader sees the old file or the whole new one, never a part; on any
    /// failure the temporary file is removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CodecError) {
        let temporary = temporaryPath(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(errorText()) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = errorText()
                close(fd)
                unlink(temporary)
                throw .writeFailed(why)
            }
            written += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let why = errorText()
            unlink(temporary)
            throw .writeFailed(why)
        }
        if rename(temporary, path) != 0 {
            let why = errorText()
            unlink(temporary)
            throw .writeFailed(why)
        }
    }

    /// Prefix of every temporary file name, so an interrupted run's leftovers are recognisable.
    public static let temporaryPrefix = ".thumbnail-tmp-"

    private nonisolated(unsafe) static var temporaryCounter = 0

    static func temporaryPath(for path: String) -> String {
        temporaryCounter += 1
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        // Not the target's own name: that one may already be as long as a name can be.
        return "\(folder)\(temporaryPrefix)\(getpid())-\(temporaryCounter)"
    }
}

extension FileIO {
    /// A stable fingerprint of the file's bytes (`StableHash`, 16 hex digits).
    public static func fingerprint(path: String) throws(CodecError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(errorText()) }
        defer { close(fd) }
        var hash = StableHash()
        var info = stat()
        // A chunk no bigger than the file (most thumbnails' sources are small) and not zeroed.
        let size = fstat(fd, &info) == 0 ? max(min(Int(info.st_size), 1 << 20), 4096) : 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        while true {
            let n = read(fd, chunk.baseAddress!, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(errorText())
            }
            if n == 0 { break }
            // Keep word alignment across reads: hash whole 8-byte words, carry the rest.
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            let whole = pending.count / 8 * 8
            pending.withUnsafeBytes { hash.combine(UnsafeRawBufferPointer(rebasing: $0[0..<whole])) }
            pending.removeFirst(whole)
        }
        pending.withUnsafeBytes { hash.combine($0) }
        return hash.hex
    }

    /// The fingerprint of bytes already in memory; equal to `fingerprint(path:)` of a file holding them.
    public static func fingerprint(bytes: [UInt8]) -> String {
        var hash = StableHash()
        bytes.withUnsafeBytes { hash.combine($0) }
        return hash.hex
    }
}
