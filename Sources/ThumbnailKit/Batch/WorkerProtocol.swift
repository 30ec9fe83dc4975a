import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One source handed to a worker: its path and the thumbnails to make from it.
public struct WorkerJob: Codable, Equatable, Sendable {
    public var id: Int
    public var input: String
    public var outputs: [OutputRequest]

    public init(id: Int, input: String, outputs: [OutputRequest]) {
        self.id = id
        self.input = input
        self.outputs = outputs
    }
}

/// A worker's answer for one job: the result, or the reason it failed.
public struct WorkerReply: Codable, Equatable, Sendable {
    public var id: Int
    public var result: RenderResult?
    public var error: String?
    /// With an error: the source's size, when its header was read before it failed.
    public var sourceWidth: Int?
    public var sourceHeight: Int?
    public var milliseconds: Double
}

/// The pipes between the parent and its workers carry one JSON document per line (JSON escapes
/// every newline inside strings, so a line is always one whole message). The parent sends the
/// `ThumbnailSpec` first, then jobs; the worker answers each job with one reply.
public enum WorkerProtocol {
    /// The hidden first argument that starts the executable as a worker.
    public static let workerArgument = "__thumbnail-worker"

    public static func encodeLine<T: Encodable>(_ value: T) -> [UInt8] {
        // Encoding these plain structs cannot fail.
        var bytes = Array(try! JSONEncoder().encode(value))
        bytes.append(0x0A)
        return bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(line))
    }
}

/// Splits the bytes read from a file descriptor into lines.
public struct LineBuffer {
    private var pending: [UInt8] = []

    public init() {}

    /// Reads what is available from `fd` (one read) straight onto the end of the pending bytes.
    /// Returns false at end of file or on error.
    public mutating func fill(from fd: Int32) -> Bool {
        let chunk = 65536
        let start = pending.count
        var got = 0
        pending.append(contentsOf: repeatElement(0, count: chunk))
        let n = pending.withUnsafeMutableBytes { raw in SystemCall.retrying { read(fd, raw.baseAddress! + start, chunk) } }
        got = max(n, 0)
        pending.removeSubrange((start + got)...)
        return got > 0
    }

    /// The next line from `fd`, reading as much as it takes; nil at end of input.
    public mutating func readLine(from fd: Int32) -> [UInt8]? {
        while true {
            if let line = nextLine() { return line }
            guard fill(from: fd) else { return nil }
        }
    }

    /// The next complete line (without its newline), if one has arrived.
    public mutating func nextLine() -> [UInt8]? {
        guard let newline = pending.firstIndex(of: 0x0A) else { return nil }
        let line = Array(pending[..<newline])
        pending.removeSubrange(...newline)
        return line
    }
}
