import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// Prints results as they come: written paths on stdout (flushed a line at a time, for pipes),
/// failures and the closing summary on stderr.
final class Reporter {
    private(set) var written = 0
    private(set) var failed = 0
    private let start = Clock.now()

    func written(_ path: String) {
        written += 1
        StandardStreams.output(path + "\n")
    }

    func failure(_ path: String, _ reason: String) {
        failed += 1
        StandardStreams.error("thumbnail: \(Self.oneLine(path)): \(Self.oneLine(reason))\n")
    }

    func summary(interrupted: Bool) {
        let elapsed = Clock.now() - start
        let rate = elapsed > 0 ? Double(written) / elapsed : 0
        let noun = written == 1 ? "thumbnail" : "thumbnails"
        var line = "\(written) \(noun) in \(Self.fixed(elapsed, 2)) s (\(Self.fixed(rate, 1))/s), \(failed) failed"
        if interrupted { line += ", interrupted" }
        StandardStreams.error(line + "\n")
    }

    /// A name or message on one line: control characters (a newline in a file name) escaped.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: text.index(after: dot), to: text.endIndex)
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }
}
