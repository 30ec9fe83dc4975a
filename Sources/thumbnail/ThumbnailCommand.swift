import ArgumentParser
import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// `thumbnail [OPTIONS] <INPUT>...`: options in, jobs to the pool, results out. All the work is in
/// ThumbnailKit.
struct ThumbnailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbnail",
        abstract: "Make blurred thumbnails of \(FormatTable.readableNames(joinedBy: "and")) images with a pool of worker processes.",
        discussion: """
            Each image is fitted inside --size (aspect kept, never enlarged; Pillow's Image.thumbnail \
            sizes), blurred by --blur (in source pixels), and written under its own name in --out, \
            in its own format unless --format says otherwise. Written paths go to stdout, one a line; \
            failures and a summary to stderr. Runs are incremental: thumbnails already made from the \
            same bytes with the same settings are skipped (--force renders all).

            Exit status: 0 all written, 1 some images failed, 64 bad usage, 130 interrupted \
            (143 on SIGTERM).
            """,
        version: ThumbnailKitInfo.version)

    @Argument(help: ArgumentHelp("Image files and folders; - reads paths from stdin, one a line (NUL-separated with -0).",
                                 valueName: "input"),
              completion: .file())
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Output folder, created if missing.", valueName: "dir"), completion: .directory,
            transform: { try ArgumentCheck.nonEmpty($0, "--out") })
    var out: String = "thumbs"

    @Option(parsing: .unconditional, help: ArgumentHelp("Box(es) to fit in: WxH, Wx (width only) or xH (height only); several separated by commas.",
                               valueName: "WxH[,WxH...]"),
            transform: { try BoxList(parsing: $0) })
    var size = BoxList([BoxSize(width: 50, height: 50)])

    @Option(help: ArgumentHelp("Output name template: {name} {ext} {size} {width} {height}. Default {name}.{ext}, or {name}_{size}.{ext} with several sizes.",
                               valueName: "template"))
    var name: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Gaussian blur standard deviation in source pixels; 0 for none.", valueName: "sigma"),
            transform: { try ArgumentCheck.number($0, in: 0.0...1000.0, "--blur") })
    var blur: Double = 2

    @Option(parsing: .unconditional, help: ArgumentHelp("JPEG and WebP quality, 1-100.", valueName: "1-100"),
            transform: { try ArgumentCheck.number($0, in: 1...100, "--quality") })
    var quality: Int = 75

    @Option(name: .customLong("png-level"), parsing: .unconditional, help: ArgumentHelp("Deflate level for PNG output (libdeflate), 0-9.", valueName: "0-9"),
            transform: { try ArgumentCheck.number($0, in: 0...9, "--png-level") })
    var pngLevel: Int = 6

    @Option(name: .customLong("avif-speed"), parsing: .unconditional,
            help: ArgumentHelp("AVIF encoder speed, 0 (slowest, smallest) to 10 (fastest); --quality sets its quantiser.", valueName: "0-10"),
            transform: { try ArgumentCheck.number($0, in: 0...10, "--avif-speed") })
    var avifSpeed: Int = 6

    @Option(help: ArgumentHelp(FormatTable.formatOptionHelp + " Several, comma-separated (avif,webp,jpeg), write each from one decode.",
                               valueName: "format[,format...]"),
            completion: .list(ImageFormat.allValueStrings), transform: { try FormatList(parsing: $0) })
    var format: FormatList?

    @Option(help: ArgumentHelp("Colour transparent pixels are flattened onto for JPEG output (#RRGGBB or a name).",
                               valueName: "color"))
    var background: RGBColor = .white

    @Flag(help: "Write progressive JPEGs.")
    var progressive = false

    @Flag(help: "Write lossless WebP (--quality then sets the compression effort).")
    var lossless = false

    @Flag(name: .customLong("no-rotate"), help: "Keep the stored pixel order instead of applying EXIF orientation.")
    var noRotate = false

    @Flag(name: .customLong("strip-icc"), help: "The same as --icc strip.")
    var stripICC = false

    @Option(help: ArgumentHelp("The source's ICC profile: convert the pixels to sRGB and write none (the default), keep it, or strip it unconverted.",
                               valueName: "convert|keep|strip"))
    var icc: ICCMode?

    @Option(help: ArgumentHelp("contain: the whole picture in the box; cover: the box filled exactly, the overflow cropped.",
                               valueName: "contain|cover"))
    var fit: FitMode = .contain

    @Option(help: ArgumentHelp("What --fit cover keeps: centre, or attention (the region richest in edges, colour and skin).",
                               valueName: "centre|attention"))
    var crop: CropAnchor = .centre

    @Option(help: ArgumentHelp("Placeholders for --json and --manifest, comma-separated: thumbhash, blurhash, color, lqip.",
                               valueName: "kinds"),
            transform: { try ArgumentCheck.placeholders($0) })
    var placeholder: [PlaceholderKind] = []

    @Option(name: .customLong("max-bytes"), parsing: .unconditional,
            help: ArgumentHelp("Largest file for lossy outputs (20k allowed): the highest quality up to --quality that fits.",
                               valueName: "n"),
            transform: { try ArgumentCheck.byteCount($0, "--max-bytes") })
    var maxBytes: Int?

    @Flag(help: "A mild unsharp mask after downscaling.")
    var sharpen = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Worker processes. Default: the usable CPU cores (affinity and cgroup quota).",
                               valueName: "n"),
            transform: { try ArgumentCheck.number($0, in: 1...1024, "--jobs") })
    var jobs: Int?

    @Option(name: .customLong("max-pixels"),
            parsing: .unconditional, help: ArgumentHelp("Refuse images with more pixels than this, from their header.", valueName: "n"),
            transform: { try ArgumentCheck.number($0, in: 1...Int.max, "--max-pixels") })
    var maxPixels: Int = 500_000_000

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds one image may take before its worker is killed.", valueName: "seconds"),
            transform: { try ArgumentCheck.positive($0, "--timeout") })
    var timeout: Double = 60

    @Flag(name: [.customShort("r"), .long], help: "Descend into folders and mirror their tree under --out.")
    var recursive = false

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Paths read from stdin (-) are NUL-separated.")
    var nullSeparated = false

    @OptionGroup(title: "Desktop")
    var desktop: DesktopOptions

    @Flag(help: "End stdout lines with NUL instead of newline.")
    var print0 = false

    @Flag(help: "Write JSON Lines to stdout: one object per thumbnail, skipped source or failure (even with -q).")
    var json = false

    @Option(help: ArgumentHelp("Write a JSON manifest of every source and its thumbnails (paths relative to its folder).",
                               valueName: "file"),
            completion: .file(), transform: { try ArgumentCheck.nonEmpty($0, "--manifest") })
    var manifest: String?

    @Option(help: ArgumentHelp("Only the inputs in shard K of N (by a stable hash of their relative path).", valueName: "K/N"))
    var shard: Shard?

    @Flag(help: "Render everything, even thumbnails that are up to date.")
    var force = false

    @Flag(name: [.customShort("q"), .long], help: "Print only errors (and --json records).")
    var quiet = false

    @Flag(help: "Show a progress line on stderr even when it is not a terminal (default: only on a terminal).")
    var progress = false

    @Option(help: ArgumentHelp("Worker sandbox (Landlock + seccomp): on uses what the kernel offers and warns once if that is not all; require fails the run without it; off is for debugging.",
                               valueName: "on|off|require"))
    var sandbox: SandboxMode = .on

    var boxes: [BoxSize] { size.boxes }

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("at least one input file or folder is needed") }
        if let name {
            if name.isEmpty { throw ValidationError("--name must not be empty") }
            if name.contains("/") { throw ValidationError("--name '\(name)' must be a file name template without '/'") }
            if boxes.count > 1 && !name.contains("{size}") && !(name.contains("{width}") || name.contains("{height}")) {
                throw ValidationError("--name must contain {size}, {width} or {height} when there are several sizes")
            }
        }
        if let name, (format?.formats.count ?? 0) > 1, !name.contains("{ext}") {
            throw ValidationError("--name must contain {ext} when there are several formats")
        }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (stdin) may be given once") }
        if stripICC, let icc, icc != .strip {
            throw ValidationError("--strip-icc means --icc strip, which contradicts --icc \(icc.rawValue)")
        }
    }

    func run() throws {
        if desktop.isActive { return try desktop.run(self) }
        var spec = ThumbnailSpec()
        spec.blurSigma = blur
        spec.quality = quality
        spec.pngLevel = pngLevel
        spec.avifSpeed = avifSpeed
        // One format: the spec's (as before); several: each output carries its own.
        spec.format = format?.formats.count == 1 ? format?.formats.first : nil
        spec.background = background
        spec.maxPixels = maxPixels
        spec.progressive = progressive
        spec.lossless = lossless
        spec.autoRotate = !noRotate
        spec.icc = stripICC ? .strip : (icc ?? .convert)
        spec.fit = fit
        spec.crop = crop
        spec.placeholders = placeholder
        spec.maxBytes = maxBytes
        spec.sharpen = sharpen

        switch Sandbox.check(sandbox) {
        case .ready: break
        case .incomplete(let why): if !quiet { StandardStreams.error("thumbnail: warning: \(why)\n") }
        case .unavailable(let why):
            StandardStreams.error("thumbnail: \(why)\n")
            throw ExitCode(1)
        }

        let terminator = print0 ? "\0" : "\n"
        let writer: any RecordWriter = json ? JSONLinesWriter(terminator: terminator) : PathListWriter(terminator: terminator)
        let reporter = Reporter(writer: writer, quiet: quiet, progress: !quiet && (progress || isatty(2) == 1),
                                liveTerminal: isatty(2) == 1)

        var paths: [String] = []
        for input in inputs {
            if input == "-" {
                paths += InputWalker.readPathList(from: 0, nullSeparated: nullSeparated)
            } else {
                paths.append(input)
            }
        }
        var request = BatchRequest(inputs: paths, outputFolder: out, boxes: boxes, format: nil,
                                   renderingKey: spec.renderingKey)
        request.formats = format?.formats ?? []
        request.nameTemplate = name
        request.recursive = recursive
        request.shard = shard
        request.force = force
        request.manifestPath = manifest

        let batch: Batch
        do {
            batch = try BatchPlanner.plan(request)
        } catch {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(error.description))\n")  // before any work
            throw ExitCode(error.isUsage ? 64 : 1)
        }
        reporter.start(sources: batch.jobs.map { ($0.job.input, $0.input.size) }, otherFilesSkipped: batch.otherFilesSkipped)
        let pool = WorkerPool(size: jobs ?? UsableCores.count(), spec: spec, timeout: timeout, sandbox: sandbox)
        let ending = BatchRunner.run(batch, pool: pool, manifestPath: manifest) { event in
            switch event {
            case .skipped(let input, let record): reporter.skipped(input, record)
            case .rendered(let input, let result, let milliseconds): reporter.rendered(input, result, milliseconds: milliseconds)
            case .failed(let input, let reason, let width, let height):
                reporter.failure(input, reason, counted: true, sourceWidth: width, sourceHeight: height)
            case .problem(let path, let reason): reporter.failure(path, reason, counted: false)
            case .notice(let path, let reason): reporter.notice(path, reason)
            }
        }
        if case .interrupted(let signal) = ending {
            reporter.summary(interrupted: true)
            throw ExitCode(128 + signal)
        }
        reporter.summary(interrupted: false)
        if reporter.failed > 0 || reporter.overBudget > 0 { throw ExitCode(1) }
    }

}
