#if canImport(Glibc)
import Glibc
#endif

/// The hidden names of an output folder as an earlier run listed them, with the folder's status
/// then. A folder's modification and change times move whenever a name is added, removed or
/// renamed in it, so while they are the same the listing is too (git's untracked cache rests on
/// the same rule): an up-to-date run into a folder of 100,000 thumbnails then reads no name of it.
struct FolderListing: Equatable {
    var device: UInt64
    var inode: UInt64
    var modified: Int64
    var changed: Int64
    /// The names starting with "." (state files, temporary files), as `FileIO.entries(of:prefix:)`.
    var names: [String]

    init(device: UInt64, inode: UInt64, modified: Int64, changed: Int64, names: [String]) {
        self.device = device
        self.inode = inode
        self.modified = modified
        self.changed = changed
        self.names = names
    }

    init(_ info: stat, names: [String]) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino),
                  modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                  changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec), names: names)
    }

    /// True when `info` is the status this listing was made under (same folder, same times).
    func isCurrent(for info: stat) -> Bool {
        let now = FolderListing(info, names: [])
        return now.device == device && now.inode == inode && now.modified == modified && now.changed == changed
    }

    /// The names as bytes, each ended by a NUL (a name cannot hold one).
    static func encodeNames(_ names: [String]) -> [UInt8] {
        names.flatMap { PathBytes.encode($0) + [0] }
    }

    static func decodeNames(_ bytes: UnsafeRawBufferPointer) -> [String] {
        bytes.split(separator: 0, omittingEmptySubsequences: true).map { PathBytes.decode($0) }
    }
}
