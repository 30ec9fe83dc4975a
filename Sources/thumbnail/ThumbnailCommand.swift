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
            failures and a summary to stderr.

            Exit status: 0 all written, 1 some images failed, 64 bad usage, 130 interrupted \
            (143 on SIGTERM).
            """)

    @Argument(help: ArgumentHelp("Image files and folders (a folder gives the JPEG and PNG files directly in it).",
                                 valueName: "input"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Output folder, created if missing.", valueName: "dir"))
    var out: String = "thumbs"

    @Option(help: ArgumentHelp("Box to fit in: WxH, Wx (width only) or xH (height only).", valueName: "WxH"))
    var size: String = "50x50"

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

    @Option(help: ArgumentHelp("Worker processes. Default: the usable CPU cores (affinity and cgroup quota).",
                               valueName: "n"))
    var jobs: Int?

    @Option(name: .customLong("max-pixels"),
            help: ArgumentHelp("Refuse images with more pixels than this, from their header.", valueName: "n"))
    var maxPixels: Int = 500_000_000

    @Option(help: ArgumentHelp("Seconds one image may take before its worker is killed.", valueName: "seconds"))
    var timeout: Double = 60

    @Flag(help: "Write progressive JPEGs.")
    var progressive = false

    var parsedBox: BoxSize { BoxSize(parsing: size)! }

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("at least one input file or folder is needed") }
        if BoxSize(parsing: size) == nil {
            throw ValidationError("--size '\(size)' is not WxH, Wx or xH with sides from 1 to 65535")
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
    }

    func run() throws {
        var spec = ThumbnailSpec()
        spec.blurSigma = blur
        spec.quality = quality
        spec.pngLevel = pngLevel
        spec.format = format.map { ImageFormat(rawValue: $0.lowercased() == "jpg" ? "jpeg" : $0.lowercased())! }
        spec.background = RGBColor(parsing: background)!
        spec.maxPixels = maxPixels
        spec.progressive = progressive

        let batch: Batch
        do {
            batch = try BatchPlanner.plan(inputs: inputs, outputFolder: out, box: parsedBox, format: spec.format)
        } catch {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(error.description))\n")
            throw ExitCode(error.isUsage ? 64 : 1)
        }
        let reporter = Reporter()
        for problem in batch.problems { reporter.failure(problem.path, problem.reason) }

        let pool = WorkerPool(size: jobs ?? UsableCores.count(), spec: spec, timeout: timeout)
        let ending = pool.run(batch.jobs) { job, outcome in
            switch outcome {
            case .rendered(let result, _):
                for output in result.outputs { reporter.written(output.path) }
            case .failed(let reason):
                reporter.failure(job.input, reason)
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
