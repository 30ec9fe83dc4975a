/// Why one image could not be made into a thumbnail. Each case's `description` is the reason
/// printed after the file's name, so it reads as a short phrase.
public enum CodecError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file could not be opened or read (the system's reason).
    case unreadable(String)
    /// The file is empty.
    case empty
    /// The first bytes are no format the tool reads.
    case notAnImage
    /// The header is damaged or not understood (the decoder's message).
    case badHeader(String)
    /// The image data ends before the image does.
    case truncated(String)
    /// The image data is damaged (the decoder's message).
    case corrupt(String)
    /// The image is of a kind this tool does not render (the reason).
    case unsupported(String)
    /// Width times height is over the `--max-pixels` limit.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// Encoding the thumbnail failed (the encoder's message).
    case encodeFailed(String)
    /// Writing the thumbnail failed (the system's reason).
    case writeFailed(String)

    public var description: String {
        switch self {
        case .unreadable(let why): return "cannot read: \(why)"
        case .empty: return "empty file"
        case .notAnImage: return "not a \(FormatTable.readableNames()) image"
        case .badHeader(let why): return "bad header: \(why)"
        case .truncated(let why): return "truncated: \(why)"
        case .corrupt(let why): return "corrupt image data: \(why)"
        case .unsupported(let why): return "unsupported: \(why)"
        case .tooManyPixels(let w, let h, let limit):
            let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
            return "\(w)x\(h) is \(overflow ? "too many" : String(pixels)) pixels, over the limit of \(limit) (--max-pixels)"
        case .encodeFailed(let why): return "cannot encode: \(why)"
        case .writeFailed(let why): return "cannot write: \(why)"
        }
    }
}
