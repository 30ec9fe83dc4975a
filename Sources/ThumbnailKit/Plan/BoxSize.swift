/// The box a thumbnail must fit in, as given on the command line: `WxH`, `Wx` (width only) or
/// `xH` (height only).
public struct BoxSize: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The largest width allowed, or nil when only the height is bounded.
    public var width: Int?
    /// The largest height allowed, or nil when only the width is bounded.
    public var height: Int?

    public init(width: Int?, height: Int?) {
        self.width = width
        self.height = height
    }

    /// Parses `WxH`, `Wx` or `xH` (case-insensitive `x`); nil for anything else, zero or negative
    /// sides, or sides over 65535 (the largest JPEG dimension).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        func side(_ part: Substring) -> Int?? {
            if part.isEmpty { return .some(nil) }
            guard part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(part), value >= 1, value <= 65535 else {
                return nil
            }
            return .some(value)
        }
        guard let w = side(parts[0]), let h = side(parts[1]), w != nil || h != nil else { return nil }
        self.width = w
        self.height = h
    }

    /// The box as written on the command line (`50x50`, `200x`, `x120`).
    public var description: String {
        "\(width.map(String.init) ?? "")x\(height.map(String.init) ?? "")"
    }
}
