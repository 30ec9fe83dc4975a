#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The freedesktop.org thumbnail cache (Thumbnail Managing Standard 0.9): `thumbnails/` in the
/// XDG cache folder, one folder per size, each thumbnail named by the MD5 of its source's URI,
/// failures recorded under `fail/<application>/`.
public struct ThumbnailCache: Sendable {
    /// The `thumbnails` folder.
    public let root: String

    /// The application name of the failure folder, `fail/thumbnail/`.
    public static let applicationName = "thumbnail"

    public init(root: String) {
        self.root = root
    }

    /// The cache of the XDG Base Directory rules: `$XDG_CACHE_HOME/thumbnails` when that variable
    /// holds an absolute path, else `$HOME/.cache/thumbnails` (the password database's home when
    /// HOME is unset).
    public static func standard() -> ThumbnailCache {
        if let cache = getenv("XDG_CACHE_HOME").map({ String(cString: $0) }), cache.hasPrefix("/") {
            return ThumbnailCache(root: cache + "/thumbnails")
        }
        var home = getenv("HOME").map { String(cString: $0) } ?? ""
        if home.isEmpty, let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { home = String(cString: dir) }
        return ThumbnailCache(root: home + "/.cache/thumbnails")
    }

    /// The file name of `uri`'s thumbnail in every size folder: its MD5 in hex plus `.png`.
    public static func fileName(uri: String) -> String { MD5.hex(uri) + ".png" }

    /// Where the thumbnail of `uri` at `size` lives.
    public func thumbnailPath(uri: String, size: XDGThumbnailSize) -> String {
        "\(root)/\(size.folderName)/\(Self.fileName(uri: uri))"
    }

    /// Where this application records that `uri` could not be thumbnailed.
    public func failurePath(uri: String) -> String {
        "\(root)/fail/\(Self.applicationName)/\(Self.fileName(uri: uri))"
    }

    /// True when the PNG at `path` is a thumbnail of `uri` made from the version modified at
    /// `modified` (seconds): its `Thumb::URI` and `Thumb::MTime` match, as the standard checks.
    public func isCurrent(_ path: String, uri: String, modified: Int64) -> Bool {
        guard let bytes = try? FileIO.readAll(path: path) else { return false }
        let text = PNGTextChunks.read(bytes)
        return text["Thumb::URI"] == uri && text["Thumb::MTime"] == String(modified)
    }

    /// Writes `png` at `path` as the standard asks: folders created mode 0700, the file mode 0600
    /// (thumbnails show private pictures), into a temporary file beside it, flushed, then renamed,
    /// so a reader sees the old thumbnail or the whole new one.
    public func write(_ png: [UInt8], to path: String) throws(CodecError) {
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        try Self.makeFolders(folder)
        let temporary = "\(folder)/\(FileIO.temporaryPrefix)\(getpid())-\(Self.nextSerial())"
        let fd = open(PathBytes.systemPath(temporary), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(FileIO.errorText()) }
        // Created 0600 (the umask can only take bits away; --xdg sets it to 077): no fchmod, which
        // the sandbox refuses (it could change the mode of any file the process owns).
        if !FileIO.writeAll(fd, png) || fsync(fd) != 0 {
            let why = FileIO.errorText()
            close(fd)
            unlink(PathBytes.systemPath(temporary))
            throw .writeFailed(why)
        }
        if close(fd) != 0 || rename(PathBytes.systemPath(temporary), PathBytes.systemPath(path)) != 0 {
            let why = FileIO.errorText()
            unlink(PathBytes.systemPath(temporary))
            throw .writeFailed(why)
        }
    }

    /// The folders this cache writes `size` thumbnails and failure records in, created (mode 0700)
    /// if missing: a sandbox's write rules need them to exist.
    public func prepareFolders(for size: XDGThumbnailSize) throws(CodecError) -> [String] {
        let folders = ["\(root)/\(size.folderName)", "\(root)/fail/\(Self.applicationName)"]
        for folder in folders { try Self.makeFolders(folder) }
        return folders
    }

    /// `mkdir -p` with mode 0700 for the folders it creates.
    static func makeFolders(_ path: String) throws(CodecError) {
        if path.isEmpty { return }
        if let info = FileIO.status(path) {
            if (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw .writeFailed("\(path) is not a folder")
        }
        if let slash = path.lastIndex(of: "/") { try makeFolders(String(path[..<slash])) }
        if mkdir(PathBytes.systemPath(path), 0o700) != 0 && errno != EEXIST { throw .writeFailed("cannot create \(path): \(FileIO.errorText())") }
    }

    private static let serial = SerialCounter()

    private static func nextSerial() -> Int { serial.next() }
}

/// A counter safe to use from several threads (temporary file names).
final class SerialCounter: Sendable {
    private let value = Mutex(0)

    func next() -> Int {
        value.withLock { value in
            value += 1
            return value
        }
    }
}
