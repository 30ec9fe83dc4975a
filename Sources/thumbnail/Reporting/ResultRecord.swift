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
    /// `--max-bytes`: the quality chosen and whether the file is over budget even at quality 1.
    var quality: Int?
    var overBudget: Bool?
    /// The format written and its MIME type (`<source type=...>`).
    var format: String?
    var mimeType: String?
    /// `--placeholder`'s strings, null unless asked for.
    var placeholders: Placeholders?

    enum CodingKeys: String, CodingKey {
        case input, status, output, box, width, height, bytes, ms, error, format
        case mimeType = "mime_type"
        case sourceWidth = "source_width"
        case sourceHeight = "source_height"
        case quality, thumbhash, blurhash, color, lqip
        case overBudget = "over_budget"
    }

    init(input: String, status: Status, output: OutputRecord?, sourceWidth: Int?, sourceHeight: Int?,
         milliseconds: Double?, error: String?, placeholders: Placeholders? = nil) {
        quality = output?.quality
        overBudget = output?.overBudget
        format = output?.format
        mimeType = output?.format.flatMap { ImageFormat(rawValue: $0)?.mimeType }
        self.placeholders = placeholders
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
        try c.encode(quality, forKey: .quality)
        try c.encode(overBudget, forKey: .overBudget)
        try c.encode(format, forKey: .format)
        try c.encode(mimeType, forKey: .mimeType)
        try c.encode(placeholders?.thumbhash, forKey: .thumbhash)
        try c.encode(placeholders?.blurhash, forKey: .blurhash)
        try c.encode(placeholders?.color, forKey: .color)
        try c.encode(placeholders?.lqip, forKey: .lqip)
    }
}
