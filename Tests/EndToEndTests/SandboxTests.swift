import Foundation
import Testing
@testable import ThumbnailKit

/// The worker sandbox, as the kernel enforces it: helper processes enter it and try what it
/// forbids; the tool runs the corpora with it on and off; a live worker's /proc status.
@Suite(.serialized) struct SandboxTests {
    /// sandbox-probe, built with the tests (a dependency of this target), beside the test binary.
    static var probe: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let here = n > 0 ? (String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) as NSString)
            .deletingLastPathComponent : ""
        for folder in [here, Tool.repo + "/.build/debug", (Tool.binary as NSString).deletingLastPathComponent] {
            let path = folder + "/sandbox-probe"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return Tool.repo + "/.build/debug/sandbox-probe"
    }

    static let support = SandboxSupport.current()
    static var complete: Bool { support.missing.isEmpty }

    struct Ending {
        var status: Int32
        var signal: Int32?
        var stdout: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// Runs `program` and says how it ended (a signal, or an exit status).
    static func launch(_ program: String, _ arguments: [String], in folder: String = NSTemporaryDirectory()) throws -> Ending {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let outPath = NSTemporaryDirectory() + "thumbnail-probe-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let signalled = process.terminationReason == .uncaughtSignal
        return Ending(status: process.terminationStatus, signal: signalled ? process.terminationStatus : nil, stdout: text)
    }

    static func folder() throws -> String {
        let root = NSTemporaryDirectory() + "thumbnail-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/allowed", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        return root
    }

    // MARK: the kernel refuses what the sandbox forbids

    @Test(.enabled(if: SandboxTests.complete))
    func aWriteOutsideTheOutputFoldersIsRefusedByLandlock() throws {
        let root = try Self.folder()
        let outside = try Self.launch(Self.probe, ["try", "require", root + "/allowed", "write", root + "/elsewhere/x"])
        #expect(outside.status == 0 && outside.lines.last == "EACCES", "\(outside)")
        #expect(!FileManager.default.fileExists(atPath: root + "/elsewhere/x"))
        // Beneath the allowed folder, and reading anywhere, still work: the refusal is Landlock's rule.
        let inside = try Self.launch(Self.probe, ["try", "require", root + "/allowed", "write", root + "/allowed/x"])
        #expect(inside.lines.last == "ok", "\(inside)")
        #expect(FileManager.default.fileExists(atPath: root + "/allowed/x"))
        let read = try Self.launch(Self.probe, ["try", "require", root + "/allowed", "read", Tool.fixtures + "/jpeg/testorig.jpg"])
        #expect(read.lines.last == "ok", "\(read)")
        // The same write with the sandbox off succeeds.
        let off = try Self.launch(Self.probe, ["try", "off", root + "/allowed", "write", root + "/elsewhere/y"])
        #expect(off.lines == ["entered landlock=none seccomp=false", "ok"], "\(off)")
    }

    @Test(.enabled(if: SandboxTests.complete),
          arguments: [("socket", "socket"), ("exec", "execve"), ("fork", "clone"), ("ptrace", "ptrace"), ("mount", "mount")])
    func aForbiddenSystemCallEndsTheProcessWithSIGSYSAndIsNamed(action: String, call: String) throws {
        let root = try Self.folder()
        let run = try Self.launch(Self.probe, ["try", "require", root + "/allowed", action, root + "/elsewhere"])
        #expect(run.signal == SIGSYS, "\(action): \(run)")
        let line = try #require(run.lines.first { $0.hasPrefix(Sandbox.blockedLinePrefix) }, "\(run)")
        let number = try #require(Sandbox.blockedSyscall(in: Array(line.utf8)))
        #expect(Sandbox.syscallName(number) == call)
        #expect(!run.lines.contains("ok"))
    }

    /// Taking the reporting handler away is itself fatal, at once and without a report.
    @Test(.enabled(if: SandboxTests.complete))
    func theSIGSYSHandlerCannotBeRemoved() throws {
        let root = try Self.folder()
        let run = try Self.launch(Self.probe, ["try", "require", root + "/allowed", "unhandle"])
        #expect(run.signal == SIGSYS, "\(run)")
        #expect(run.lines == ["entered landlock=\(Self.support.landlockABI ?? 0) seccomp=true"], "\(run)")
    }

    @Test(.enabled(if: SandboxTests.complete))
    func threadsAreAllowed() throws {
        let root = try Self.folder()
        let run = try Self.launch(Self.probe, ["try", "require", root + "/allowed", "thread"])
        #expect(run.status == 0 && run.signal == nil && run.lines.last == "ok", "\(run)")
    }

    // MARK: the tool

    /// Every file of the fixtures, the shared corpus, and seeded mutations of the fixtures' images:
    /// the same thumbnails (bytes), stdout and failures with the sandbox on as with it off.
    @Test(.enabled(if: SandboxTests.complete), arguments: ["fixtures", "corpus", "mutations"])
    func theSandboxChangesNoOutput(set: String) throws {
        let source: String
        switch set {
        case "fixtures": source = Tool.fixtures
        case "corpus":
            source = Tool.repo + "/../shared/corpus"  // the workplace's shared folder, beside the repository
            guard FileManager.default.fileExists(atPath: source) else { return }
        default: source = try Self.mutations()
        }
        let root = NSTemporaryDirectory() + "thumbnail-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var runs: [String: Tool.Run] = [:]
        // Off twice: every output must also be the same from run to run (corrupt JPEGs once were
        // not, decoding with a quantisation table borrowed from the image before).
        for (folder, mode) in [("require", "require"), ("off", "off"), ("again", "off")] {
            let run = try Tool.run(["-r", source, "--out", folder, "--sandbox", mode, "--size", "64x64,300x"], in: root)
            #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
            runs[folder] = run
        }
        let on = try #require(runs["require"]), off = try #require(runs["off"])
        #expect(!on.stderr.contains("blocked system call"), "\(on.stderr)")
        #expect(Set(on.stdoutLines.map { String($0.dropFirst("require/".count)) }) == Set(off.stdoutLines.map { String($0.dropFirst("off/".count)) }))
        // Failures: the same files for the same reasons (the summary's time aside).
        let failures = { (run: Tool.Run) in Set(run.stderrLines.filter { !$0.contains(" thumbnails in ") }) }
        #expect(failures(on) == failures(off))
        let written = try Self.files(under: root + "/require")
        #expect(written == (try Self.files(under: root + "/off")))
        #expect(written.count > 40)
        var unstable: [String] = []
        for name in written {
            let a = try Data(contentsOf: URL(fileURLWithPath: root + "/require/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: root + "/off/" + name))
            let again = try? Data(contentsOf: URL(fileURLWithPath: root + "/again/" + name))
            if again != b {
                unstable.append(name)
                continue
            }
            #expect(a == b, "\(name) differs")
        }
        #expect(unstable.isEmpty, "unstable without the sandbox: \(unstable)")
    }

    /// The relative paths of the visible files beneath `folder`.
    static func files(under folder: String) throws -> [String] {
        let all = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        return all.filter { path in
            var directory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &directory)
            return !directory.boolValue && !(path as NSString).lastPathComponent.hasPrefix(".")
        }.sorted()
    }

    /// Seeded corruptions of the fixtures' small images (bits flipped, bytes overwritten, tails
    /// cut), as the mutation fuzz makes them, in a fresh folder.
    static func mutations() throws -> String {
        let folder = NSTemporaryDirectory() + "thumbnail-mutations-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let seeds = ["jpeg/testorig.jpg", "jpeg/testprog.jpg", "jpeg/patches-ycck.jpg", "jpeg/testimgari.jpg",
                     "pngsuite/basn6a16.png", "pngsuite/basn3p04.png", "pngsuite/ibasn2c08.png", "testpngs/gray-alpha-16.png"]
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) >> 1)
        }
        for seed in seeds {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Tool.fixtures + "/" + seed)))
            let name = (seed as NSString).lastPathComponent
            for index in 0..<12 {
                var bytes = original
                for _ in 0...(next() % 3) {
                    let at = next() % bytes.count
                    switch next() % 3 {
                    case 0: bytes[at] ^= UInt8(1 << (next() % 8))
                    case 1: for i in at..<min(bytes.count, at + 1 + next() % 32) { bytes[i] = UInt8(next() & 0xFF) }
                    default: if at > 8 { bytes.removeSubrange(at...) }
                    }
                }
                try Data(bytes).write(to: URL(fileURLWithPath: folder + "/\(index)-" + name))
            }
        }
        return folder
    }

    @Test(.enabled(if: SandboxTests.complete))
    func aRunningWorkerHasNoNewPrivilegesAndASeccompFilter() throws {
        // A worker held (stopped) in the middle of decoding a 20000x20000 PNG.
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        try FileManager.default.copyItem(atPath: Tool.fixtures + "/huge-20000x20000.png", toPath: root + "/stuck.png")
        let run = try BackgroundRun(["--jobs", "1", "images", "stuck.png", "--out", "t"], in: root)
        defer { kill(run.pid, SIGTERM); _ = run.finish() }
        let worker = try #require(run.stallWorker(opening: "stuck.png"))
        let status = (try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)) ?? ""
        #expect(status.contains("\nNoNewPrivs:\t1\n"), "\(status)")
        #expect(status.contains("\nSeccomp:\t2\n"), "\(status)")
    }

    @Test(.enabled(if: SandboxTests.complete))
    func aWorkerKilledByTheFilterIsReportedWithTheCallAndReplaced() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "jpeg/testorig.jpg"],
                                      names: ["a.jpg", "b.socket", "c.jpg"])
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        let jobs = ["a.jpg", "b.socket", "c.jpg"].enumerated().map { index, name in
            WorkerJob(id: index, input: root + "/images/" + name,
                      outputs: [OutputRequest(path: root + "/out/" + name + ".jpg", box: BoxSize(parsing: "40x40")!)])
        }
        for mode in [SandboxMode.on, .off] {
            let pool = WorkerPool(size: 1, spec: ThumbnailSpec(), executable: Self.probe, sandbox: mode)
            var outcomes: [Int: JobOutcome] = [:]
            #expect(pool.run(jobs) { job, outcome in outcomes[job.id] = outcome } == .finished)
            #expect(outcomes.count == 3)
            if case .rendered = outcomes[0] {} else { Issue.record("a.jpg: \(String(describing: outcomes[0]))") }
            if case .rendered = outcomes[2] {} else { Issue.record("c.jpg: \(String(describing: outcomes[2]))") }
            if mode == .on {
                // Killed at its socket call, reported by name, not tried twice; the batch went on.
                #expect(outcomes[1] == .failed("blocked system call socket"))
            } else {
                // Without the sandbox the same worker opens its socket and renders the image.
                if case .rendered = outcomes[1] {} else { Issue.record("b.socket, sandbox off: \(String(describing: outcomes[1]))") }
            }
        }
    }

    // MARK: kernels without Landlock or seccomp

    @Test(.enabled(if: SandboxTests.complete), arguments: [("landlock", "no Landlock"), ("seccomp", "no seccomp filters")])
    func withoutAFeatureTheRunWarnsOnceOrRequireRefusesAtStart(feature: String, missing: String) throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "pngsuite/basn6a08.png"])
        let on = try Tool.runProgram(Self.probe, ["without", feature, Tool.binary, "--jobs", "2", "images", "--out", "t"], in: root)
        #expect(on.status == 0, "\(on.stderr)")
        #expect(Tool.names(root + "/t").count == 3)
        let warnings = on.stderrLines.filter { $0.hasPrefix("thumbnail: warning:") }
        #expect(warnings.count == 1, "\(on.stderr)")
        #expect(warnings.first?.contains(missing) == true, "\(on.stderr)")

        let required = try Tool.runProgram(Self.probe, ["without", feature, Tool.binary, "--sandbox", "require", "images", "--out", "r"], in: root)
        #expect(required.status == 1)
        #expect(required.stderrLines.count == 1, "\(required.stderr)")
        #expect(required.stderr.hasPrefix("thumbnail: --sandbox require: this kernel cannot sandbox the workers: ") &&
                required.stderr.contains(missing), "\(required.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/r"), "require failed after starting work")

        let off = try Tool.runProgram(Self.probe, ["without", feature, Tool.binary, "--sandbox", "off", "images", "--out", "o"], in: root)
        #expect(off.status == 0 && !off.stderr.contains("warning"), "\(off.stderr)")
        // The probe entering in `on` mode gets what is left.
        let probe = try Self.launch(Self.probe, ["without", feature, Self.probe, "try", "on", root, "status"])
        #expect(probe.lines.first == (feature == "landlock" ? "entered landlock=none seccomp=true"
                                                             : "entered landlock=\(Self.support.landlockABI ?? 0) seccomp=false"), "\(probe)")
    }

    @Test func aBadSandboxModeIsAUsageError() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        let run = try Tool.run(["--sandbox", "maybe", "images"], in: root)
        #expect(run.status == 64)
        #expect(run.stderr.contains("The value 'maybe' is invalid for '--sandbox") && run.stderr.contains("'on', 'off' or 'require'"),
                "\(run.stderr)")
    }
}
