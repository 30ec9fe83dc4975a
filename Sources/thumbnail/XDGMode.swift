import ArgumentParser
import Synchronization
import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// The desktop modes' options: `--xdg` fills the freedesktop.org thumbnail cache, `--thumbnailer`
/// is the command a desktop thumbnailer entry runs. Both work in this process (no worker pool).
struct DesktopOptions: ParsableArguments {
    @Flag(help: "Write the inputs' thumbnails into the freedesktop.org thumbnail cache ($XDG_CACHE_HOME/thumbnails), where file managers look. No blur unless --blur is given; --out, --size, --format and --name do not apply.")
    var xdg = false

    @Option(name: .customLong("xdg-size"),
            help: ArgumentHelp("Cache size folder for --xdg: normal (128), large (256), x-large (512) or xx-large (1024).",
                               valueName: "size"))
    var xdgSize: String = "large"

    @Flag(help: "Thumbnailer mode for desktop thumbnailer entries: render INPUT into the PNG OUTPUT, fitted in -s pixels; exit 0 or 1.")
    var thumbnailer = false

    @Option(name: .customShort("s"), help: ArgumentHelp("Box side in pixels for --thumbnailer.", valueName: "pixels"))
    var thumbnailerSize: Int = 256

    var isActive: Bool { xdg || thumbnailer }

    /// Called by the parser with the command's own validation.
    func validate() throws {
        if xdg && thumbnailer { throw ValidationError("--xdg and --thumbnailer cannot be used together") }
        if XDGThumbnailSize(rawValue: xdgSize) == nil {
            throw ValidationError("--xdg-size must be normal, large, x-large or xx-large, not '\(xdgSize)'")
        }
        if !(1...65535).contains(thumbnailerSize) { throw ValidationError("-s must be from 1 to 65535, not \(thumbnailerSize)") }
    }

    /// Runs the active desktop mode with the command's other options. A usage error thrown here
    /// exits 64 like the parser's own.
    func run(_ command: ThumbnailCommand) throws {
        // The desktop wants sharp previews: the command's blur only when --blur was given.
        let blur = Self.blurGiven(CommandLine.arguments) ? command.blur : 0
        // Batch options that mean nothing here are refused, not silently ignored.
        if let option = Self.batchOnlyOptions.first(where: { Self.given($0, CommandLine.arguments) }) {
            throw ValidationError("\(option) does not apply with \(thumbnailer ? "--thumbnailer" : "--xdg")")
        }
        if thumbnailer {
            if command.inputs.count != 2 { throw ValidationError("--thumbnailer takes exactly INPUT and OUTPUT") }
            try runThumbnailer(input: command.inputs[0], output: command.inputs[1], blur: blur, maxPixels: command.maxPixels,
                               sandbox: command.sandbox)
        } else {
            try runXDG(command, blur: blur)
        }
    }

    /// Confines this process as a worker is confined (`Sandbox.enter`), writing only in `writable`.
    /// A kernel without Landlock or seccomp: `--sandbox require` fails, `on` says once what is missing.
    static func enterSandbox(_ mode: SandboxMode, writable: [String]) throws {
        switch Sandbox.check(mode) {
        case .ready: break
        case .incomplete(let why): StandardStreams.error("thumbnail: warning: \(why)\n")
        case .unavailable(let why):
            StandardStreams.error("thumbnail: \(why)\n")
            throw ExitCode(1)
        }
        do {
            try Sandbox.enter(SandboxPolicy(mode: mode, writableFolders: writable), reportFD: 2)
        } catch {
            StandardStreams.error("thumbnail: cannot enter the sandbox: \(error.description)\n")
            throw ExitCode(1)
        }
    }

    /// True when `arguments` give `--blur` (as `--blur X` or `--blur=X`) before any `--`. Why
    /// scan: the command's `blur` has a default of 2, and the parser does not tell a default from
    /// a given value; a value cannot be an option name, so the scan cannot mistake one.
    static func blurGiven(_ arguments: [String]) -> Bool { given("--blur", arguments) }

    /// The batch mode's options that the desktop modes do not use (they write one PNG per source
    /// where the desktop looks, sized by --xdg-size or -s).
    static let batchOnlyOptions = ["--out", "--size", "--name", "--format", "--json", "--manifest", "--shard",
                                   "--placeholder", "--fit", "--crop", "--max-bytes", "--sharpen", "--lossless",
                                   "--avif-speed", "--quality", "--png-level", "--progressive", "--background"]
        // The desktop modes always convert profiles to sRGB (file managers do not colour-manage).
        + ["--icc", "--strip-icc"]

    /// True when `arguments` give the long option `name` (`--name X` or `--name=X`) before any `--`.
    static func given(_ name: String, _ arguments: [String]) -> Bool {
        for argument in arguments.dropFirst() {
            if argument == "--" { return false }
            if argument == name || argument.hasPrefix(name + "=") { return true }
        }
        return false
    }

    /// `--thumbnailer -s SIZE INPUT OUTPUT`: one PNG, written atomically; a failure is one stderr line
    /// and exit 1.
    private func runThumbnailer(input: String, output: String, blur: Double, maxPixels: Int, sandbox: SandboxMode) throws {
        var spec = ThumbnailSpec()
        spec.blurSigma = blur
        spec.maxPixels = maxPixels
        spec.icc = .convert  // sRGB pixels, no profile: what file managers assume
        try Self.enterSandbox(sandbox, writable: [OutputNaming.folder(of: output)])
        do {
            let (png, _, _) = try DesktopThumbnailer.thumbnailPNG(of: input, renderer: ThumbnailRenderer(spec: spec),
                                                                  box: thumbnailerSize)
            try FileIO.writeAtomically(png, to: output)
        } catch {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(input)): \(Reporter.oneLine(error.description))\n")
            throw ExitCode(1)
        }
    }

    /// `--xdg`: every image among the inputs brought up to date in the cache, on one thread per
    /// usable core. Written thumbnails' paths go to stdout; failures to stderr; exit 1 if any failed.
    private func runXDG(_ command: ThumbnailCommand, blur: Double) throws {
        var paths: [String] = []
        for input in command.inputs {
            if input == "-" {
                paths += InputWalker.readPathList(from: 0, nullSeparated: command.nullSeparated)
            } else {
                paths.append(input)
            }
        }
        let cache = ThumbnailCache.standard()
        // Never thumbnail the cache itself.
        let walk = InputWalker.walk(paths, recursive: command.recursive, excluding: cache.root)
        let size = XDGThumbnailSize(rawValue: xdgSize)!
        let workingDirectory = FilePaths.workingFolder
        let files = walk.files.map(\.path)
        let start = Clock.now()
        let quiet = command.quiet
        let terminator = command.print0 ? "\0" : "\n"
        struct Tally { var next = 0, written = 0, upToDate = 0, failed = 0 }
        let tally = Mutex(Tally())
        for problem in walk.problems {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(problem.path)): \(Reporter.oneLine(problem.reason))\n")
            if problem.isFailure { tally.withLock { $0.failed += 1 } }  // a notice (a loop) is no failure
        }
        // SIGINT/SIGTERM stop the taking of new files; those being written finish (a thumbnail
        // takes milliseconds), so no temporary file is left in the cache.
        SignalWatch.install()
        // This mode decodes in this process (no worker pool): it is confined itself, as a worker
        // is, before the first decode and before any thread starts, writing only in the cache.
        umask(0o077)  // thumbnails show private pictures: files 0600, folders 0700, whatever the umask was
        do {
            let folders = try cache.prepareFolders(for: size)
            try Self.enterSandbox(command.sandbox, writable: folders)
        } catch let error as CodecError {
            StandardStreams.error("thumbnail: \(Reporter.oneLine(cache.root)): \(error.description)\n")
            throw ExitCode(1)
        }
        let threads = max(1, min(command.jobs ?? UsableCores.count(), files.count))
        let force = command.force
        let maxPixels = command.maxPixels
        PlainThreads.run(threads) {
            let thumbnailer = DesktopThumbnailer(cache: cache, size: size, blurSigma: blur, maxPixels: maxPixels)
            while true {
                let index = tally.withLock { tally -> Int in
                    defer { tally.next += 1 }
                    return tally.next
                }
                guard index < files.count, SignalWatch.caught == nil else { return }
                let file = files[index]
                let outcome = thumbnailer.update(file, workingDirectory: workingDirectory, force: force)
                tally.withLock { tally in
                    switch outcome {
                    case .written(let path, _, _):
                        tally.written += 1
                        if !quiet { StandardStreams.output(path + terminator) }
                    case .upToDate:
                        tally.upToDate += 1
                    case .failed(let reason):
                        tally.failed += 1
                        StandardStreams.error("thumbnail: \(Reporter.oneLine(file)): \(Reporter.oneLine(reason))\n")
                    case .failedBefore:
                        tally.failed += 1
                        StandardStreams.error("thumbnail: \(Reporter.oneLine(file)): failed before at this modification time (--force tries again)\n")
                    }
                }
            }
        }
        let final = tally.withLock { $0 }
        let interrupted = SignalWatch.caught
        if !quiet {
            let elapsed = Clock.now() - start
            let noun = final.written == 1 ? "thumbnail" : "thumbnails"
            var line = "\(final.written) \(noun) in \(Reporter.fixed(elapsed, 2)) s into \(cache.root)/\(size.folderName), \(final.failed) failed"
            if final.upToDate > 0 { line += ", \(final.upToDate) up to date" }
            if interrupted != nil { line += ", interrupted" }
            StandardStreams.error(line + "\n")
        }
        if let interrupted { throw ExitCode(128 + interrupted) }
        if final.failed > 0 { throw ExitCode(1) }
    }
}

/// Runs `body` on `count` threads (the calling one among them) and waits for all: plain pthreads,
/// because Dispatch's pool needs system calls (pipe2, setpriority...) the sandbox does not allow.
enum PlainThreads {
    static func run(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var threads: [pthread_t] = []
        for _ in 1..<max(count, 1) {
            var thread = pthread_t()
            let box = Unmanaged.passRetained(Box(body)).toOpaque()
            let started = pthread_create(&thread, nil, { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
            if started == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Box>.fromOpaque(box).release()
            }
        }
        body()
        for thread in threads { pthread_join(thread, nil) }
    }
}
