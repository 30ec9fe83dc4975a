import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// Prints results as they come: records on stdout through the `RecordWriter` (a line at a time,
/// for pipes); failures, progress and the closing summary on stderr.
final class Reporter {
    private(set) var written = 0
    private(set) var skippedCount = 0
    private(set) var failed = 0
    /// Thumbnails over the `--max-bytes` budget even at quality 1 (written, but the run fails).
    private(set) var overBudget = 0
    private let writer: any RecordWriter
    private let quiet: Bool
    private let showProgress: Bool
    private let liveTerminal: Bool
    private let start = Clock.now()
    private var total = 0
    private var done = 0
    /// Bytes of the sources to make and of those done: the ETA comes from bytes, since the
    /// largest files go first and a count-based rate would be far too slow early on.
    private var sizes: [String: Int] = [:]
    private var totalBytes = 0
    private var bytesDone = 0
    private var otherFiles = 0
    private var progressShown = false
    private var lastProgress = 0.0
    private let stdoutIsTerminal = isatty(1) == 1

    init(writer: any RecordWriter, quiet: Bool, progress: Bool, liveTerminal: Bool) {
        self.writer = writer
        self.quiet = quiet
        self.showProgress = progress
        self.liveTerminal = liveTerminal
    }

    /// The run's work: each source to make with its size in bytes, and the other files skipped.
    func start(sources: [(path: String, bytes: Int)], otherFilesSkipped: Int) {
        total = sources.count
        for source in sources { sizes[source.path] = source.bytes }
        totalBytes = sources.reduce(0) { $0 + $1.bytes }
        otherFiles = otherFilesSkipped
        drawProgress(force: true)
    }

    func rendered(_ input: String, _ result: RenderResult, milliseconds: Double) {
        finish(input)
        for output in result.outputs {
            written += 1
            reportBudget(output)
            emit(ResultRecord(input: input, status: .ok, output: output, sourceWidth: result.sourceWidth,
                              sourceHeight: result.sourceHeight, milliseconds: milliseconds, error: nil,
                              placeholders: result.placeholders))
        }
        drawProgress(force: false)
    }

    func skipped(_ input: String, _ record: RunRecord) {
        skippedCount += record.outputs.count
        for output in record.outputs {
            reportBudget(output)
            // Without --json nothing is printed for it: no record is made (100,000 up to date is common).
            guard writer.writes(.skipped) else { continue }
            emit(ResultRecord(input: input, status: .skipped, output: output, sourceWidth: record.sourceWidth,
                              sourceHeight: record.sourceHeight, milliseconds: 0, error: nil,
                              placeholders: record.placeholders))
        }
    }

    /// One stderr line for a thumbnail over its `--max-bytes` budget (made now or up to date: the
    /// run fails either way, so CI notices every time).
    private func reportBudget(_ output: OutputRecord) {
        guard output.overBudget == true else { return }
        overBudget += 1
        clearProgress()
        StandardStreams.error("thumbnail: \(Self.oneLine(output.path)): \(output.bytes) bytes at quality 1, over the --max-bytes budget\n")
    }

    /// A failure line on stderr and a `failed` record; `counted` when it was one of the sources
    /// being made (for the progress count).
    func failure(_ path: String, _ reason: String, counted: Bool, sourceWidth: Int? = nil, sourceHeight: Int? = nil) {
        failed += 1
        if counted { finish(path) }
        clearProgress()
        StandardStreams.error("thumbnail: \(Self.oneLine(path)): \(Self.oneLine(reason))\n")
        emit(ResultRecord(input: path, status: .failed, output: nil, sourceWidth: sourceWidth, sourceHeight: sourceHeight,
                          milliseconds: nil, error: reason))
        drawProgress(force: true)
    }

    /// A line on stderr that is no failure (a symlink loop not followed).
    func notice(_ path: String, _ reason: String) {
        guard !quiet else { return }
        clearProgress()
        StandardStreams.error("thumbnail: \(Self.oneLine(path)): \(Self.oneLine(reason))\n")
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
        if otherFiles > 0 { line += ", \(otherFiles) other \(otherFiles == 1 ? "file" : "files") skipped" }
        if interrupted { line += ", interrupted" }
        StandardStreams.error(line + "\n")
    }

    private func finish(_ input: String) {
        done += 1
        bytesDone += sizes[input] ?? 0
    }

    private func emit(_ record: ResultRecord) {
        guard !quiet || writer.isMachineOutput else { return }
        // When stdout is the same terminal, lift the progress line off first, then put it back.
        let lift = progressShown && stdoutIsTerminal
        if lift { clearProgress() }
        writer.write(record)
        if lift { drawProgress(force: true) }
    }

    // MARK: progress

    private func progressText() -> String {
        let elapsed = Clock.now() - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "\(done)/\(total) images, \(Self.fixed(rate, 1))/s"
        let byteRate = elapsed > 0 ? Double(bytesDone) / elapsed : 0
        if byteRate > 0 && done < total {
            text += ", ETA \(Int((Double(totalBytes - bytesDone) / byteRate).rounded(.up))) s"
        }
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

    /// A name or message on one line for a terminal: control characters escaped (`\n`, `\t`,
    /// `\xXX`), and bytes of a name that are not UTF-8 shown as `\xXX`.
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
                } else if PathBytes.isEscape(scalar.value) {
                    out += "\\x" + String(scalar.value & 0xFF, radix: 16)
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
