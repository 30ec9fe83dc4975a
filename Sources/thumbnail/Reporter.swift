import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// Prints results as they come: written paths (or JSON Lines) on stdout, a line at a time for
/// pipes; failures, progress and the closing summary on stderr.
final class Reporter {
    enum Style { case paths, json }

    private(set) var written = 0
    private(set) var skippedCount = 0
    private(set) var failed = 0
    private let style: Style
    private let terminator: String
    private let quiet: Bool
    private let showProgress: Bool
    private let liveTerminal: Bool
    private let start = Clock.now()
    private var total = 0
    private var done = 0
    private var progressShown = false
    private var lastProgress = 0.0

    init(style: Style, terminator: String, quiet: Bool, progress: Bool, liveTerminal: Bool) {
        self.style = style
        self.terminator = terminator
        self.quiet = quiet
        self.showProgress = progress
        self.liveTerminal = liveTerminal
    }

    func start(total: Int) {
        self.total = total
        drawProgress(force: true)
    }

    func rendered(_ input: String, _ result: RenderResult, milliseconds: Double) {
        done += 1
        for output in result.outputs {
            written += 1
            guard !quiet else { continue }
            switch style {
            case .paths: out(output.path)
            case .json: out(jsonLine(input: input, status: "ok", output: output, source: (result.sourceWidth, result.sourceHeight),
                                     milliseconds: milliseconds, error: nil))
            }
        }
        drawProgress(force: false)
    }

    func skipped(_ input: String, _ record: RunRecord) {
        skippedCount += record.outputs.count
        guard !quiet, style == .json else { return }
        for output in record.outputs {
            out(jsonLine(input: input, status: "skipped", output: output, source: (record.sourceWidth, record.sourceHeight),
                         milliseconds: 0, error: nil))
        }
    }

    /// A failure line; `counted` when it was one of the images being made (for the progress count).
    func failure(_ path: String, _ reason: String, counted: Bool) {
        failed += 1
        if counted { done += 1 }
        clearProgress()
        StandardStreams.error("thumbnail: \(Self.oneLine(path)): \(Self.oneLine(reason))\n")
        if style == .json && !quiet {
            out(jsonLine(input: path, status: "failed", output: nil, source: nil, milliseconds: nil, error: reason))
        }
        drawProgress(force: true)
    }

    func summary(interrupted: Bool) {
        clearProgress()
        guard !quiet else { return }
        let elapsed = Clock.now() - start
        let rate = elapsed > 0 ? Double(written) / elapsed : 0
        let noun = written == 1 ? "thumbnail" : "thumbnails"
        var line = "\(written) \(noun) in \(Self.fixed(elapsed, 2)) s (\(Self.fixed(rate, 1))/s), \(failed) failed"
        if skippedCount > 0 { line += ", \(skippedCount) up to date" }
        if interrupted { line += ", interrupted" }
        StandardStreams.error(line + "\n")
    }

    private func out(_ line: String) {
        // When stdout is the same terminal, lift the progress line off first, then put it back.
        let lift = progressShown && stdoutIsTerminal
        if lift { clearProgress() }
        StandardStreams.output(line + terminator)
        if lift { drawProgress(force: true) }
    }

    private let stdoutIsTerminal = isatty(1) == 1

    // MARK: progress

    private func progressText() -> String {
        let elapsed = Clock.now() - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "\(done)/\(total) images, \(Self.fixed(rate, 1))/s"
        if rate > 0 && done < total { text += ", ETA \(Int((Double(total - done) / rate).rounded(.up))) s" }
        return text
    }

    private func drawProgress(force: Bool) {
        guard showProgress, total > 0 else { return }
        let now = Clock.now()
        if liveTerminal {
            // Redraw at most 20 times a second, and always for the last image.
            guard force || done == total || now - lastProgress > 0.05 else { return }
            lastProgress = now
            StandardStreams.error("\r\u{1B}[K" + progressText())
            progressShown = true
        } else {
            // Not a terminal: plain lines, no escapes, at most one a second.
            guard done == total || now - lastProgress >= 1 else { return }
            lastProgress = now
            StandardStreams.error("progress: " + progressText() + "\n")
        }
    }

    private func clearProgress() {
        guard progressShown else { return }
        StandardStreams.error("\r\u{1B}[K")
        progressShown = false
    }

    // MARK: formatting

    private func jsonLine(input: String, status: String, output: OutputRecord?, source: (Int, Int)?,
                          milliseconds: Double?, error: String?) -> String {
        var fields: [(String, String)] = [("input", Self.jsonString(input)), ("status", Self.jsonString(status))]
        fields.append(("output", output.map { Self.jsonString($0.path) } ?? "null"))
        fields.append(("box", output.map { Self.jsonString($0.box) } ?? "null"))
        fields.append(("width", output.map { String($0.width) } ?? "null"))
        fields.append(("height", output.map { String($0.height) } ?? "null"))
        fields.append(("source_width", source.map { String($0.0) } ?? "null"))
        fields.append(("source_height", source.map { String($0.1) } ?? "null"))
        fields.append(("bytes", output.map { String($0.bytes) } ?? "null"))
        fields.append(("ms", milliseconds.map { Self.fixed($0, 1) } ?? "null"))
        fields.append(("error", error.map(Self.jsonString) ?? "null"))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func jsonString(_ text: String) -> String { "\"" + escaped(text, json: true) + "\"" }

    /// A name or message on one line: control characters (a newline in a file name) escaped.
    static func oneLine(_ text: String) -> String { escaped(text, json: false) }

    /// Control characters escaped (`\n`, `\t`...; others as `\u00XX` for JSON, `\xXX` for
    /// terminals), and for JSON also quotes and backslashes.
    private static func escaped(_ text: String, json: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where json: out += "\\\""
            case "\\" where json: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (!json && scalar.value == 0x7F) {
                    let hex = String(scalar.value, radix: 16)
                    out += json ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                                : "\\x" + (scalar.value < 16 ? "0" : "") + hex
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
        if text.contains("e") { return String(Int(rounded)) }
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: text.index(after: dot), to: text.endIndex)
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }
}
