#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to stdout and stderr: each call is one write(2), so lines from a pipeline
/// consumer's point of view arrive whole and at once. A path's bytes are written as they are
/// (`PathBytes`): `caf\xe9.jpg` prints as the same bytes the folder holds.
public enum StandardStreams {
    public static func output(_ text: String) { write(1, text) }
    public static func error(_ text: String) { write(2, text) }
    public static func output(bytes: [UInt8]) { FileIO.writeAll(1, bytes) }

    private static func write(_ fd: Int32, _ text: String) {
        FileIO.writeAll(fd, PathBytes.encode(text))
    }
}
