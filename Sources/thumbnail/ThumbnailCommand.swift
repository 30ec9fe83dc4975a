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
        abstract: "Make blurred thumbnails of JPEG and PNG images with a pool of worker processes.",
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
                                 valueName: "input"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Output folder, created if missing.", valueName: "dir"))
    var out: String = "thumbs"

    @Option(help: ArgumentHelp("Box(es) to fit in: WxH, Wx (width only) or xH (height only); several separated by commas.",
                               valueName: "WxH[,WxH...]"))
    var size: String = "50x50"

    @Option(help: ArgumentHelp("Output name template: {name} {ext} {size} {width} {height}. Default {name}.{ext}, or {name}_{size}.{ext} with several sizes.",
                               valueName: "template"))
    var name: String?

    @Option(help: ArgumentHelp("Gaussian blur standard deviation in source pixels; 0 for none.", valueName: "sigma"))
    var blur: Double = 2

    @Option(help: ArgumentHelp("JPEG quality, 1-100.", valueName: "1-100"))
    var quality: Int = 75

    @Option(name: .customLong("png-level"), help: ArgumentHelp("zlib level for PNG output, 0-9.", valueName: "0-9"))
    var pngLevel: Int = 6

    @Option(help: ArgumentHelp("Output format (jpeg or png); sets the extension. Default: the source's.", valueName: "format"))
    var format: String?

    @Option(help: ArgumentHelp("Colour transparent pixels are flattened onto for JPEG output (#RRGGBB or a name).",
                               valueName: "color"))
    var background: String = "white"

    @Flag(help: "Write progressive JPEGs.")
    var progressive = false

    @Flag(name: .customLong("no-rotate"), help: "Keep the stored pixel order instead of applying EXIF orientation.")
    var noRotate = false

    @Flag(name: .customLong("strip-icc"), help: "Do not carry the source's ICC colour profile into the thumbnail.")
    var stripICC = false

    @Option(help: ArgumentHelp("Worker processes. Default: the usable CPU cores (affinity and cgroup quota).",
                               valueName: "n"))
    var jobs: Int?

    @Option(name: .customLong("max-pixels"),
            help: ArgumentHelp("Refuse images with more pixels than this, from their header.", valueName: "n"))
    var maxPixels: Int = 500_000_000

    @Option(help: ArgumentHelp("Seconds one image may take before its worker is killed.", valueName: "seconds"))
    var timeout: Double = 60

    @Flag(name: [.customShort("r"), .long], help: "Descend into folders and mirror their tree under --out.")
    var recursive = false

    @Flag(name: [.customShort("0"), .customLong("null")], help: "Paths read from stdin (-) are NUL-separated.")
    var nullSeparated = false

    @OptionGroup(title: "Desktop")
    var desktop: DesktopOptions

    @Flag(help: "End stdout lines with NUL instead of newline.")
    var print0 = false

    @Flag(help: "Write JSON Lines to stdout: one object per thumbnail, skipped source or failure.")
    var json = false

    @Option(help: ArgumentHelp("Write a JSON manifest of every source and its thumbnails.", valueName: "file"))
    var manifest: String?

    @Option(help: ArgumentHelp("Only the inputs in shard K of N (by a stable hash of their relative path).", valueName: "K/N"))
    var shard: String?

    @Flag(help: "Render everything, even thumbnails that are up to date.")
    var force = false

    @Flag(name: [.customShort("q"), .long], help: "Print only errors.")
    var quiet = false

    @Flag(help: "Show a progress line on stderr even when it is not a terminal (default: only on a terminal).")
    var progress = false

    var boxes: [BoxSize] { size.split(separator: ",").map { BoxSize(parsing: String($0))! } }

    var outputFormat: ImageFormat? {
        format.map { ImageFormat(rawValue: $0.lowercased() == "jpg" ? "jpeg" : $0.lowercased())! }
    }

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("at least one input file or folder is needed") }
        let parts = size.split(separator: ",", omittingEmptySubsequences: false)
        if parts.isEmpty || parts.contains(where: { BoxSize(parsing: String($0)) == nil }) {
            throw ValidationError("--size '\(size)' is not WxH, Wx or xH (sides from 1 to 65535), comma-separated")
        }
        if Set(parts).count != parts.count { throw ValidationError("--size '\(size)' names a box twice") }
        if let name {
            if name.isEmpty || name.contains("/") { throw ValidationError("--name must be a file name template without '/'") }
            if parts.count > 1 && !name.contains("{size}") && !(name.contains("{width}") || name.contains("{height}")) {
                throw ValidationError("--name must contain {size}, {width} or {height} when there are several sizes")
            }
        }
        if !(blur >= 0 && blur <= 1000) { throw ValidationError("--blur must be from 0 to 1000, not \(blur)") }
        if !(1...100).contains(quality) { throw ValidationError("--quality must be from 1 to 100, not \(quality)") }
        if !(0...9).contains(pngLevel) { throw ValidationError("--png-level must be from 0 to 9, not \(pngLevel)") }
        if let format, ImageFormat(rawValue: format.lowercased() == "jpg" ? "jpeg" : format.lowercased()) == nil {
            throw ValidationError("--format must be jpeg or png, not '\(format)'")
        }
        if RGBColor(parsing: background) == nil {
            throw ValidationError("--background '\(background)' is not #RRGGBB, #RGB or white/black/gray")
        }
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be from 1 to 1024, not \(jobs)") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
        if !(timeout > 0) { throw ValidationError("--timeout must be more than 0 seconds") }
        if let shard, Shard(parsing: shard) == nil { throw ValidationError("--shard must be K/N with 1 <= K <= N, not '\(shard)'") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (stdin) may be given once") }
    }

    func run() throws {
        if desktop.isActive { return try desktop.run(self) }
        var spec = ThumbnailSpec()
        spec.blurSigma = blur
        spec.quality = quality
        spec.pngLevel = pngLevel
        spec.format = outputFormat
        spec.background = RGBColor(parsing: background)!
        spec.maxPixels = maxPixels
        spec.progressive = progressive
        spec.autoRotate = !noRotate
        spec.keepICC = !stripICC

        let style: Reporter.Style = json ? .json : .paths
        let reporter = Reporter(style: style, terminator: print0 ? "\0" : "\n", quiet: quiet,
                                progress: !quiet && (progress || isatty(2) == 1), liveTerminal: isatty(2) == 1)

        var paths: [String] = []
        for input in inputs {
            if input == "-" {
                paths += InputWalker.readPathList(from: 0, nullSeparated: nullSeparated)
            } else {
                paths.append(input)
            }
        }
        var request = BatchRequest(inputs: paths, outputFolder: out, boxes: boxes, format: spec.format,
                                   renderingKey: spec.renderingKey)
        request.nameTemplate = name
        request.recursive = recursive
        request.shard = shard.flatMap(Shard.init(parsing:))
        request.force = force

        let batch: Batch
        do {
            batch = try BatchPlanner.plan(request)
        } catch {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(error.description))\n")  // before any work
            throw ExitCode(error.isUsage ? 64 : 1)
        }
        reporter.start(total: batch.jobs.count)
        let pool = WorkerPool(size: jobs ?? UsableCores.count(), spec: spec, timeout: timeout)
        let ending = BatchRunner.run(batch, pool: pool, manifestPath: manifest) { event in
            switch event {
            case .skipped(let input, let record): reporter.skipped(input, record)
            case .rendered(let input, let result, let milliseconds): reporter.rendered(input, result, milliseconds: milliseconds)
            case .failed(let input, let reason): reporter.failure(input, reason, counted: true)
            case .problem(let path, let reason): reporter.failure(path, reason, counted: false)
            }
        }
        if case .interrupted(let signal) = ending {
            reporter.summary(interrupted: true)
            throw ExitCode(128 + signal)
        }
        reporter.summary(interrupted: false)
        if reporter.failed > 0 { throw ExitCode(1) }
    }

}
