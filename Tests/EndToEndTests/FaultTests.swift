import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// A run of the tool in the background, for tests that signal it or its workers.
final class BackgroundRun {
    let process = Process()
    let outPath: String
    let errPath: String

    init(_ arguments: [String], in folder: String, prefix: [String] = []) throws {
        outPath = NSTemporaryDirectory() + "thumbnail-bg-" + UUID().uuidString
        errPath = outPath + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: Tool.binary)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = prefix + [Tool.binary] + arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    /// Waits (up to `seconds`) until `condition` holds.
    @discardableResult
    func wait(upTo seconds: Double, for condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func finish(upTo seconds: Double = 20) -> Int32? {
        guard wait(upTo: seconds, for: { !process.isRunning }) else {
            kill(pid, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    /// The process IDs whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // A zombie has exited; only its parent's wait is missing.
        return !stat.contains(") Z ")
    }
}

extension BackgroundRun {
    /// Waits for the worker (not one of `except`) that has a file named `name` open, stops it
    /// (SIGSTOP: a stand-in for a decoder that hangs), and returns its pid.
    func stallWorker(opening name: String, except: [Int32] = []) -> Int32? {
        var found: Int32?
        wait(upTo: 20) {
            found = BackgroundRun.children(of: pid).first { worker in
                guard !except.contains(worker), BackgroundRun.alive(worker) else { return false }
                let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker)/fd")) ?? []
                return fds.contains { fd in
                    ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/fd/\(fd)")) ?? "")
                        .hasSuffix("/" + name)
                }
            }
            return found != nil
        }
        if let found { kill(found, SIGSTOP) }
        return found
    }
}

/// Bad input and faults: clear errors, nothing lost, nothing half-written.
@Suite(.serialized) struct FaultTests {
    static let photos = ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "pngsuite/basn2c16.png", "jpeg/vgl_5674_0098.png"]

    /// A workspace with `stuck.png` beside the images: a 20000x20000 PNG, the largest input (so
    /// dispatched first) and about a second's work. `stall` stops (SIGSTOP) the worker decoding
    /// it: a stand-in for a decoder that hangs. (A FIFO no longer serves: inputs that are not
    /// regular files are refused before any worker opens them.)
    func stuckWorkspace() throws -> String {
        let root = try Tool.workspace(Self.photos)
        try FileManager.default.copyItem(atPath: Tool.fixtures + "/huge-20000x20000.png", toPath: root + "/stuck.png")
        return root
    }

    func stall(_ run: BackgroundRun, except: [Int32] = []) -> Int32? { run.stallWorker(opening: "stuck.png", except: except) }

    func checkWhole(_ folder: String, count: Int) throws {
        let names = Tool.names(folder)
        #expect(names.count == count)
        for name in names { _ = try Tool.size(of: folder + "/" + name) }
        let hidden = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(FileIO.temporaryPrefix) }
        #expect(hidden.isEmpty, "temporary files left: \(hidden)")
    }

    @Test func aWorkerKilledTwiceOnOneImageIsReportedWithTheSignalAndTheBatchGoesOn() throws {
        let root = try stuckWorkspace()
        let run = try BackgroundRun(["--jobs", "1", "images", "stuck.png", "--out", "t"], in: root)
        var killed: [Int32] = []
        for _ in 0..<2 {
            let pid = try #require(stall(run, except: killed))
            kill(pid, SIGKILL)
            killed.append(pid)
        }
        #expect(run.finish() == 1)
        #expect(run.stderr.contains("thumbnail: stuck.png: worker was killed by SIGKILL twice on this image"), "\(run.stderr)")
        #expect(run.stderr.contains("4 thumbnails in") && run.stderr.contains(", 1 failed"))
        try checkWhole(root + "/t", count: 4)
    }

    @Test func anImageOverTheTimeoutIsReportedAndItsWorkerReplaced() throws {
        let root = try stuckWorkspace()
        let run = try BackgroundRun(["--jobs", "2", "--timeout", "0.5", "stuck.png", "images", "--out", "t"], in: root)
        #expect(stall(run) != nil)
        #expect(run.finish() == 1)
        #expect(run.stderr.contains("thumbnail: stuck.png: timed out after 0.5 s"), "\(run.stderr)")
        try checkWhole(root + "/t", count: 4)
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalStopsTheRunLeavingOnlyWholeImages(signal: Int32, status: Int32) throws {
        let root = try stuckWorkspace()
        let run = try BackgroundRun(["--jobs", "2", "images", "stuck.png", "--out", "t"], in: root)
        #expect(stall(run) != nil)
        #expect(run.wait(upTo: 20) { run.stdout.split(separator: "\n").count == 4 })
        let workers = BackgroundRun.children(of: run.pid)
        #expect(!workers.isEmpty)
        kill(run.pid, signal)
        let start = Date()
        #expect(run.finish(upTo: 10) == status)
        #expect(Date().timeIntervalSince(start) < 3)
        #expect(run.stderr.contains("interrupted"))
        for worker in workers { #expect(!BackgroundRun.alive(worker), "worker \(worker) outlived the run") }
        try checkWhole(root + "/t", count: 4)
    }

    /// The default pool size follows the CPU affinity mask, not the machine's core count.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")))
    func theDefaultPoolHonoursCPUAffinity() throws {
        let root = try stuckWorkspace()
        let run = try BackgroundRun(["stuck.png", "images", "--out", "t"], in: root,
                                    prefix: ["-c", "exec taskset -c 0 \"$0\" \"$@\""])
        #expect(stall(run) != nil)
        usleep(200_000)
        // One usable core: one worker, now stuck.
        #expect(BackgroundRun.children(of: run.pid).filter(BackgroundRun.alive).count == 1)
        kill(run.pid, SIGTERM)
        #expect(run.finish() == 143)
    }

    @Test func noWorkerOutlivesAParentKilledWithSIGKILL() throws {
        let root = try stuckWorkspace()
        let run = try BackgroundRun(["--jobs", "2", "stuck.png", "--out", "t"], in: root)
        let stuck = try #require(stall(run))
        let workers = BackgroundRun.children(of: run.pid)
        #expect(workers == [stuck])
        kill(run.pid, SIGKILL)
        _ = run.finish()
        #expect(run.wait(upTo: 5) { workers.allSatisfy { !BackgroundRun.alive($0) } }, "workers \(workers) outlived their parent")
    }

    @Test func decompressionBombsAreRefusedFromTheHeader() throws {
        let root = try Tool.workspace([])
        // A JPEG whose frame header claims 65000x65000.
        var jpeg = try FileIO.readAll(path: Tool.fixtures + "/jpeg/testorig.jpg")
        let sof = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && (jpeg[$0 + 1] == 0xC0 || jpeg[$0 + 1] == 0xC1) })
        jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])
        try FileIO.writeAtomically(jpeg, to: root + "/images/bomb.jpg")
        // A PNG whose header claims 100000x100000 (with a correct CRC).
        var png = try FileIO.readAll(path: Tool.fixtures + "/pngsuite/basn2c08.png")
        png.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = CRC32.of(Array(png[12..<29]))
        png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        try FileIO.writeAtomically(png, to: root + "/images/bomb.png")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 1)
        #expect(run.stderrLines.contains("thumbnail: images/bomb.jpg: 65000x65000 is 4225000000 pixels, over the limit of 500000000 (--max-pixels)"), "\(run.stderr)")
        #expect(run.stderrLines.contains { $0.hasPrefix("thumbnail: images/bomb.png: ") && $0.contains("100000x100000") }, "\(run.stderr)")
        // The limit is the user's: a small one refuses an ordinary photo.
        let small = try Tool.run(["--max-pixels", "1000", Tool.fixtures + "/jpeg/testorig.jpg", "--out", "s"], in: root)
        #expect(small.status == 1 && small.stderr.contains("over the limit of 1000"))
    }

    /// Huge PNGs never need a frame: a 20000x20000 one (400 MB as an 8-bit frame) streams row by
    /// row; a 12000x12000 interlaced one (144 MB) is reduced pass by pass. Both are black with a
    /// white middle square.
    @Test(arguments: ["huge-20000x20000.png", "huge-interlaced-12000x12000.png"])
    func aHugePNGIsThumbnailedInLittleMemory(_ fixture: String) throws {
        let root = try Tool.workspace([fixture])
        // GNU time's %M: the peak of the tool and of every worker it waited for.
        let run = try Tool.runProgram("/usr/bin/time", ["-f", "%M", "-o", "peak", Tool.binary, "images", "--out", "t",
                                                        "--blur", "0", "--size", "30x30"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/" + fixture)
        #expect(thumb.width == 30 && thumb.height == 30 && thumb.channels == 1)
        #expect(thumb[15, 15, 0] == 255 && thumb[2, 2, 0] == 0 && thumb[27, 15, 0] == 0)
        // Far below one frame.
        let peak = try #require(Int(String(contentsOfFile: root + "/peak", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(peak < 64 * 1024, "peak \(peak) KiB")
    }

    @Test func damagedFilesFailWithOneLineEachAndNothingHalfWritten() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg", "pngsuite/basn2c08.png"])
        let jpeg = try FileIO.readAll(path: Tool.fixtures + "/jpeg/testimgint.jpg")
        let png = try FileIO.readAll(path: Tool.fixtures + "/jpeg/vgl_5674_0098.png")
        var flipped = png
        for i in stride(from: 200, to: flipped.count - 20, by: 97) { flipped[i] ^= 0x5A }
        var badHeader = jpeg
        let sof = try #require(badHeader.indices.first { badHeader[$0] == 0xFF && (0xC0...0xC2).contains(badHeader[$0 + 1]) })
        badHeader[sof + 9] = 0  // zero components
        let damaged: [(String, [UInt8])] = [
            ("cut.jpg", Array(jpeg.prefix(jpeg.count * 2 / 3))), ("cut.png", Array(png.prefix(png.count / 2))),
            ("flipped.png", flipped), ("header.jpg", badHeader), ("zero.jpg", []),
        ]
        for (name, bytes) in damaged { try FileIO.writeAtomically(bytes, to: root + "/" + name) }
        let run = try Tool.run(["images"] + damaged.map(\.0) + ["--out", "t"], in: root)
        #expect(run.status == 1)
        for (name, _) in damaged {
            #expect(run.stderrLines.filter { $0.hasPrefix("thumbnail: \(name): ") }.count == 1, "\(name): \(run.stderr)")
        }
        #expect(run.stderrLines.count == damaged.count + 1)
        try checkWhole(root + "/t", count: 2)
    }

    @Test func harmlessDecoderWarningsDoNotFailAFile() throws {
        // Stray bytes before a marker ("extraneous bytes before marker", common from old cameras).
        var jpeg = try FileIO.readAll(path: Tool.fixtures + "/jpeg/testorig.jpg")
        let sos = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        jpeg.insert(contentsOf: [0x12, 0x34, 0x56], at: sos)
        let root = try Tool.workspace([])
        try FileIO.writeAtomically(jpeg, to: root + "/images/stray.jpg")
        let run = try Tool.run(["images", "--out", "t"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutLines == ["t/stray.jpg"])
    }

    @Test func libpngCrashersFailCleanly() throws {
        let run = try Tool.run([Tool.fixtures + "/testpngs/crashers", "--out", "t"], in: try Tool.workspace([]))
        #expect(run.status == 1)
        let failures = run.stderrLines.dropLast()
        #expect(failures.count + run.stdoutLines.count == 23, "\(run.stderr)")
        #expect(failures.count >= 20)
        #expect(failures.allSatisfy { $0.hasPrefix("thumbnail: ") && $0.contains("/crashers/") })
    }

    @Test func aFullDiskFailsTheImageNotTheRun() throws {
        // A file size limit (ulimit -f, in 512-byte or 1 KiB blocks) stands in for a full disk.
        let root = try Tool.workspace(["jpeg/testorig.jpg", "jpeg/vgl_5674_0098.png"])
        let run = try BackgroundRun(["images", "--out", "t", "--size", "120x120", "--format", "png"], in: root,
                                    prefix: ["-c", "ulimit -f 8; exec \"$0\" \"$@\""])
        #expect(run.finish() == 1)
        let written = run.stdout.split(separator: "\n").map(String.init)
        #expect(run.stderr.contains("cannot write: File too large"), "\(run.stderr)")
        #expect(written.count < 2)
        try checkWhole(root + "/t", count: written.count)
    }

    @Test func anUnwritableOutputFolderIsReportedBeforeAnyWork() throws {
        let root = try Tool.workspace(["jpeg/testorig.jpg"])
        try FileManager.default.createDirectory(atPath: root + "/ro", withIntermediateDirectories: false)
        chmod(root + "/ro", 0o555)
        defer { chmod(root + "/ro", 0o755) }
        // root can write anywhere: only check the refusal when the permission bits are honoured.
        if access(root + "/ro", W_OK) != 0 {
            let run = try Tool.run(["images", "--out", "ro"], in: root)
            #expect(run.status == 1 && run.stderrLines == ["thumbnail: ro: cannot write to output folder: Permission denied"])
        }
        let nested = try Tool.run(["images", "--out", "images/testorig.jpg/x"], in: root)
        #expect(nested.status == 1)
        #expect(nested.stderrLines.count == 1 && nested.stderr.contains("images/testorig.jpg/x: cannot create output folder"))
    }
}

enum CRC32 {
    static func of(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
