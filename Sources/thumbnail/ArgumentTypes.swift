import ArgumentParser
import ThumbnailKit

/// `--size`: one or more boxes, comma-separated, each named once.
struct BoxList: ExpressibleByArgument, CustomStringConvertible {
    var boxes: [BoxSize]

    init(_ boxes: [BoxSize]) { self.boxes = boxes }

    /// Parses `WxH[,WxH...]`, saying what is wrong with the value.
    init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var boxes: [BoxSize] = []
        for part in parts {
            guard let box = BoxSize(parsing: part) else {
                if part.isEmpty { throw ValidationError("an empty box in '\(text)'") }
                if part.contains("-") { throw ValidationError("'\(part)': sides must be positive") }
                throw ValidationError("'\(part)' is not WxH, Wx or xH with sides from 1 to 65535")
            }
            if boxes.contains(box) { throw ValidationError("'\(text)' names the box \(box) twice") }
            boxes.append(box)
        }
        self.boxes = boxes
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    var description: String { boxes.map(\.description).joined(separator: ",") }
}

extension ImageFormat: ExpressibleByArgument {
    /// A writable format's name or alias (`jpeg`, `jpg`, `png`...), from the format table.
    public init?(argument: String) {
        guard let format = FormatTable.writableFormat(named: argument) else { return nil }
        self = format
    }

    public static var allValueStrings: [String] { FormatTable.writable.map(\.format.rawValue) }
}

extension RGBColor: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}

extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// Transforms for options whose values deserve a precise message: ArgumentParser's own says only
/// that a value is invalid (or, for `-1`, that it is missing).
enum ArgumentCheck {
    static func number<T: LosslessStringConvertible & Comparable>(_ text: String, in range: ClosedRange<T>, _ what: String) throws -> T {
        guard let value = T(text) else { throw ValidationError("'\(text)' is not a number") }
        guard range.contains(value) else { throw ValidationError("\(what) must be from \(range.lowerBound) to \(range.upperBound), not \(text)") }
        return value
    }

    static func positive(_ text: String, _ what: String) throws -> Double {
        guard let value = Double(text), value.isFinite else { throw ValidationError("'\(text)' is not a number") }
        guard value > 0 else { throw ValidationError("\(what) must be more than 0, not \(text)") }
        return value
    }

    static func nonEmpty(_ text: String, _ what: String) throws -> String {
        guard !text.isEmpty else { throw ValidationError("\(what) must not be empty") }
        return text
    }
}

extension SandboxMode: ExpressibleByArgument {}
extension FitMode: ExpressibleByArgument {}
extension CropAnchor: ExpressibleByArgument {}
extension ICCMode: ExpressibleByArgument {}

extension ArgumentCheck {
    /// `--placeholder thumbhash,blurhash,color,lqip`: any of them, each once.
    static func placeholders(_ text: String) throws -> [PlaceholderKind] {
        var kinds: [PlaceholderKind] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let kind = PlaceholderKind(rawValue: String(part)) else {
                throw ValidationError("'\(part)' is not a placeholder (thumbhash, blurhash, color, lqip)")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// A byte count: digits, optionally followed by k (1024) or m (1024 * 1024).
    static func byteCount(_ text: String, _ what: String) throws -> Int {
        let lower = text.lowercased()
        let multiplier = lower.hasSuffix("k") ? 1024 : lower.hasSuffix("m") ? 1024 * 1024 : 1
        let digits = multiplier == 1 ? lower : String(lower.dropLast())
        guard let value = Int(digits), value >= 1, value <= Int.max / multiplier else {
            throw ValidationError("\(what) must be a positive number of bytes (20000, 20k, 2m), not \(text)")
        }
        return value * multiplier
    }
}

/// `--format`: one or more writable formats, comma-separated, each named once.
struct FormatList: ExpressibleByArgument {
    var formats: [ImageFormat]

    init(parsing text: String) throws {
        var formats: [ImageFormat] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let format = ImageFormat(argument: String(part)) else {
                throw ValidationError("'\(part)' is not a format the tool writes (\(FormatTable.formatOptionValues))")
            }
            if formats.contains(format) { throw ValidationError("'\(text)' names \(format) twice") }
            formats.append(format)
        }
        self.formats = formats
    }

    init?(argument: String) { try? self.init(parsing: argument) }

    static var allValueStrings: [String] { ImageFormat.allValueStrings }
}
