import ThumbnailKit

/// One `--json` line: a thumbnail written, a thumbnail up to date, or a source that failed. Every
/// key is always present (null where it does not apply), so scripts can index without checks.
struct ResultRecord: Encodable {
    enum Status: String, Encodable { case ok, skipped, failed }

    var input: String
    var status: Status
    var output: String?
    var box: String?
    var width: Int?
    var height: Int?
    var sourceWidth: Int?
    var sourceHeight: Int?
    var bytes: Int?
    /// Milliseconds the worker spent on the source (0 when skipped).
    var ms: Double?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case input, status, output, box, width, height, bytes, ms, error
        case sourceWidth = "source_width"
        case sourceHeight = "source_height"
    }

    init(input: String, status: Status, output: OutputRecord?, sourceWidth: Int?, sourceHeight: Int?,
         milliseconds: Double?, error: String?) {
        self.input = input
        self.status = status
        self.output = output?.path
        box = output?.box
        width = output?.width
        height = output?.height
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        bytes = output?.bytes
        ms = milliseconds.map { ($0 * 10).rounded() / 10 }
        self.error = error
    }

    func encode(to encoder: Encoder) throws {
        // Explicit, so that absent values are written as null rather than left out.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(input, forKey: .input)
        try c.encode(status, forKey: .status)
        try c.encode(output, forKey: .output)
        try c.encode(box, forKey: .box)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(sourceWidth, forKey: .sourceWidth)
        try c.encode(sourceHeight, forKey: .sourceHeight)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(ms, forKey: .ms)
        try c.encode(error, forKey: .error)
    }
}
