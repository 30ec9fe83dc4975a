#if canImport(Glibc)
import Glibc
#endif

/// Paths compared as the places they name, without touching the filesystem.
public enum FilePaths {
    /// The current folder when first asked (the tool never changes it): one getcwd a run, not
    /// one a path.
    public static let workingFolder = currentFolder()

    /// The current folder, its bytes kept (`PathBytes`).
    public static func currentFolder() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return PathBytes.decode(buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
    }

    /// `path` made absolute against the current folder, with empty and `.` components removed
    /// (`./a//b` and `a/b` agree). `..` is kept: resolving it lexically could cross a symlink.
    public static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : workingFolder + "/" + path
        // Most paths have nothing to remove (no empty or `.` component): one pass over the bytes.
        if isNormal(full) { return full }
        let parts = full.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }

    /// True when absolute `path` has no empty or `.` component and no trailing slash.
    static func isNormal(_ path: String) -> Bool {
        var previous: UInt8 = 0x2F, beforePrevious: UInt8 = 0  // the leading slash
        for byte in path.utf8.dropFirst() {
            if byte == 0x2F && (previous == 0x2F || (previous == 0x2E && beforePrevious == 0x2F)) { return false }
            beforePrevious = previous
            previous = byte
        }
        // "/a/." and "/a/" end badly; "/" alone is fine.
        if path.utf8.count > 1 && (previous == 0x2F || (previous == 0x2E && beforePrevious == 0x2F)) { return false }
        return true
    }

    /// `path` relative to `folder`, both absolute as `absolute` gives them (`../b/x.jpg`).
    public static func relative(_ path: String, to folder: String) -> String {
        let target = path.split(separator: "/")
        let base = folder.split(separator: "/")
        var common = 0
        while common < target.count - 1 && common < base.count && target[common] == base[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...].map(String.init)).joined(separator: "/")
    }
}
