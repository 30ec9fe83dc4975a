import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// `--xdg` and `--thumbnailer` end to end, with the cache in a temporary XDG_CACHE_HOME and GIO
/// (libglib2.0-bin's `gio info`) as the real client that must accept our thumbnails.
@Suite(.serialized) struct XDGTests {
    /// The sample images and fixtures under names that need percent-encoding in a URI.
    static let sources: [(fixture: String, name: String)] = [
        ("../../images/Landscape_1.jpg", "Landscape_1.jpg"),
        ("../../images/Portrait_1.jpg", "Portrait_1.jpg"),
        ("../../images/basn6a08.png", "basn6a08.png"),
        ("../../images/testorig.jpg", "a b#é.jpg"),
        ("../../images/vgl_5674_0098.png", "100% (copy);[1].png"),
        ("exif-orientation/Landscape_6.jpg", "rotated.jpg"),  // EXIF orientation 6: turned a quarter
    ]

    /// Runs the tool with XDG_CACHE_HOME set to `cache`.
    static func run(_ arguments: [String], in folder: String, cache: String) throws -> Tool.Run {
        try Tool.runProgram("/usr/bin/env", ["XDG_CACHE_HOME=" + cache, Tool.binary] + arguments, in: folder)
    }

    /// `gio info`'s thumbnail path and validity for `file`, with XDG_CACHE_HOME set to `cache`.
    static func gio(_ file: String, cache: String) throws -> (path: String?, valid: Bool?) {
        let run = try Tool.runProgram("/usr/bin/env", ["XDG_CACHE_HOME=" + cache, "gio", "info", "-a",
                                                       "thumbnail::path,thumbnail::is-valid", file], in: "/")
        #expect(run.status == 0, "\(run.stderr)")
        var path: String?, valid: Bool?
        for line in run.stdoutLines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("thumbnail::path: ") { path = String(trimmed.dropFirst("thumbnail::path: ".count)) }
            if trimmed.hasPrefix("thumbnail::is-valid: ") { valid = trimmed.hasSuffix("TRUE") }
        }
        return (path, valid)
    }

    static func text(_ png: String) throws -> [String: String] { PNGTextChunks.read(try FileIO.readAll(path: png)) }

    /// Stored width and height of `path` by Pillow (an independent reader), from the header only.
    /// Why not decode here: a full-size decode in the test process raises its peak memory, which
    /// every child started afterwards inherits in its rusage (the huge-PNG test bounds that).
    static func pillowSize(_ path: String) throws -> (Int, Int) {
        let run = try Tool.runProgram("/usr/bin/python3", ["-c", "import sys\nfrom PIL import Image\nprint(*Image.open(sys.argv[1]).size)", path], in: "/")
        let numbers = run.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
        guard run.status == 0, numbers.count == 2 else { throw CodecError.unreadable("Pillow: \(run.stderr)") }
        return (numbers[0], numbers[1])
    }

    static func workspace() throws -> (root: String, images: String, cache: String) {
        let root = try Tool.workspace(sources.map(\.fixture), names: sources.map(\.name))
        try FileManager.default.createDirectory(atPath: root + "/images/sub", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/images/basn6a08.png", toPath: root + "/images/sub/deep é.png")
        return (root, root + "/images", root + "/cache")
    }

    @Test func everySampleGetsTheThumbnailGIOReportsValid() throws {
        let (root, images, cache) = try Self.workspace()
        let run = try Self.run(["--xdg", "-r", "images"], in: root, cache: cache)
        #expect(run.status == 0, "\(run.stderr)")
        let names = Self.sources.map(\.name) + ["sub/deep é.png"]
        #expect(run.stdoutLines.count == names.count)
        #expect(FileIO.status(cache + "/thumbnails")!.st_mode & 0o777 == 0o700)
        for name in names {
            let file = images + "/" + name
            let uri = FileURI.uri(absolutePath: file)
            let expected = cache + "/thumbnails/large/" + MD5.hex(uri) + ".png"
            let reply = try Self.gio(file, cache: cache)
            #expect(reply.path == expected, "\(name)")
            #expect(reply.valid == true, "\(name)")
            #expect(run.stdoutLines.contains(expected))
            #expect(FileIO.status(expected)!.st_mode & 0o777 == 0o600)
            // The standard's chunks, with the source's own facts.
            let text = try Self.text(expected)
            let status = FileIO.status(file)!
            let source = try Self.pillowSize(file)
            #expect(text["Thumb::URI"] == uri)
            #expect(text["Thumb::MTime"] == String(status.st_mtim.tv_sec))
            #expect(text["Thumb::Size"] == String(status.st_size))
            #expect(text["Thumb::Mimetype"] == (name.hasSuffix(".png") ? "image/png" : "image/jpeg"))
            let (width, height, _) = try Tool.size(of: expected)
            #expect(max(width, height) == min(256, max(source.0, source.1)))
            // The size as shown: a quarter-turned source's sides swap.
            let upright = name == "rotated.jpg" ? (source.1, source.0) : source
            #expect(text["Thumb::Image::Width"] == String(upright.0))
            #expect(text["Thumb::Image::Height"] == String(upright.1))
            #expect((width > height) == (upright.0 > upright.1))
        }
    }

    @Test func pixelsAreTheUnblurredThumbnailOfTheOrdinaryMode() throws {
        let (root, images, cache) = try Self.workspace()
        #expect(try Self.run(["--xdg", "images/Landscape_1.jpg"], in: root, cache: cache).status == 0)
        #expect(try Self.run(["--xdg", "--xdg-size", "normal", "--blur", "3", "images/Landscape_1.jpg"], in: root, cache: cache).status == 0)
        let uri = FileURI.uri(absolutePath: images + "/Landscape_1.jpg")
        let plain = try Tool.run(["--size", "256x256", "--blur", "0", "--format", "png", "--strip-icc", "--out", "plain",
                                  "images/Landscape_1.jpg"], in: root)
        let blurred = try Tool.run(["--size", "128x128", "--blur", "3", "--format", "png", "--strip-icc", "--out", "blurred",
                                    "images/Landscape_1.jpg"], in: root)
        #expect(plain.status == 0 && blurred.status == 0)
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        #expect(try renderer.decodeWhole(cache + "/thumbnails/large/\(MD5.hex(uri)).png").pixels
                    == renderer.decodeWhole(root + "/plain/Landscape_1.png").pixels)
        #expect(try renderer.decodeWhole(cache + "/thumbnails/normal/\(MD5.hex(uri)).png").pixels
                    == renderer.decodeWhole(root + "/blurred/Landscape_1.png").pixels)
    }

    @Test func aChangedSourceIsRenderedAgainAndAnUnchangedOneSkipped() throws {
        let (root, images, cache) = try Self.workspace()
        let file = images + "/a b#é.jpg"
        #expect(try Self.run(["--xdg", "images"], in: root, cache: cache).status == 0)
        let again = try Self.run(["--xdg", "images"], in: root, cache: cache)
        #expect(again.status == 0 && again.stdout.isEmpty)
        #expect(again.stderrLines.last?.hasSuffix("6 up to date") == true, "\(again.stderr)")
        // New content and a new modification time: GIO calls the old thumbnail stale, we redo it.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: images + "/Portrait_1.jpg", toPath: file)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_600_000_000)], ofItemAtPath: file)
        #expect(try Self.gio(file, cache: cache).valid == false)
        let redo = try Self.run(["--xdg", "images"], in: root, cache: cache)
        #expect(redo.status == 0)
        #expect(redo.stdoutLines == [try Self.gio(file, cache: cache).path!])
        #expect(try Self.gio(file, cache: cache).valid == true)
        let text = try Self.text(redo.stdoutLines[0])
        #expect(text["Thumb::MTime"] == "1600000000")
        let (portraitWidth, portraitHeight) = try Self.pillowSize(images + "/Portrait_1.jpg")
        #expect(text["Thumb::Image::Width"] == String(portraitWidth) && text["Thumb::Image::Height"] == String(portraitHeight))
        // --force renders even what is up to date.
        #expect(try Self.run(["--xdg", "--force", "images"], in: root, cache: cache).stdoutLines.count == 6)
    }

    @Test func aFailedSourceGetsAFailureEntryAndIsNotRetriedUntilItChanges() throws {
        let (root, images, cache) = try Self.workspace()
        let bad = images + "/broken.jpg"
        let good = try FileIO.readAll(path: images + "/Portrait_1.jpg")
        try Data(good.prefix(300)).write(to: URL(fileURLWithPath: bad))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_500_000_000)], ofItemAtPath: bad)
        let run = try Self.run(["--xdg", "images/broken.jpg", "images/Portrait_1.jpg"], in: root, cache: cache)
        #expect(run.status == 1)
        #expect(run.stdoutLines.count == 1)
        #expect(run.stderrLines.first?.hasPrefix("thumbnail: images/broken.jpg: ") == true, "\(run.stderr)")
        let uri = FileURI.uri(absolutePath: bad)
        let failure = cache + "/thumbnails/fail/thumbnail/\(MD5.hex(uri)).png"
        let text = try Self.text(failure)
        #expect(text["Thumb::URI"] == uri && text["Thumb::MTime"] == "1500000000")
        #expect(FileIO.status(failure)!.st_mode & 0o777 == 0o600)
        #expect(FileIO.status(cache + "/thumbnails/large/\(MD5.hex(uri)).png") == nil)
        let again = try Self.run(["--xdg", "images/broken.jpg"], in: root, cache: cache)
        #expect(again.status == 1 && again.stderr.contains("failed before"))
        // Fixed: rendered, and the failure entry goes.
        try Data(good).write(to: URL(fileURLWithPath: bad))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_500_000_100)], ofItemAtPath: bad)
        let fixed = try Self.run(["--xdg", "images/broken.jpg"], in: root, cache: cache)
        #expect(fixed.status == 0 && fixed.stdoutLines.count == 1)
        #expect(FileIO.status(failure) == nil)
        #expect(try Self.gio(bad, cache: cache).valid == true)
    }

    @Test func anInterruptedRunStopsCleanlyWith130() throws {
        let (root, images, cache) = try Self.workspace()
        let many = root + "/many"
        try FileManager.default.createDirectory(atPath: many, withIntermediateDirectories: true)
        for i in 0..<300 { try FileManager.default.copyItem(atPath: images + "/Landscape_1.jpg", toPath: many + "/\(i).jpg") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.binary)
        process.arguments = ["--xdg", "-q", "--jobs", "2", many]
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": cache]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let large = cache + "/thumbnails/large"
        let deadline = Date().addingTimeInterval(20)
        while Tool.names(large).count < 3 && process.isRunning && Date() < deadline { usleep(5_000) }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let written = Tool.names(large)
        #expect(written.count >= 3 && written.count < 300)
        // Nothing half-written: no temporary file anywhere, every thumbnail whole and labelled.
        let everything = FileManager.default.enumerator(atPath: cache)!.allObjects.compactMap { $0 as? String }
        #expect(!everything.contains { ($0 as NSString).lastPathComponent.hasPrefix(FileIO.temporaryPrefix) })
        for name in written {
            #expect(try Self.text(large + "/" + name)["Thumb::MTime"] != nil)
            #expect(try Tool.size(of: large + "/" + name).0 == 256)
        }
    }

    @Test(arguments: XDGThumbnailSize.allCases)
    func everySizeFolderHoldsItsBox(size: XDGThumbnailSize) throws {
        let (root, images, cache) = try Self.workspace()
        let run = try Self.run(["--xdg", "--xdg-size", size.folderName, "images/Landscape_1.jpg"], in: root, cache: cache)
        #expect(run.status == 0)
        let uri = FileURI.uri(absolutePath: images + "/Landscape_1.jpg")
        #expect(run.stdoutLines == [cache + "/thumbnails/\(size.folderName)/\(MD5.hex(uri)).png"])
        let (width, height, _) = try Tool.size(of: run.stdoutLines[0])
        #expect(max(width, height) == min(size.pixels, 1800))
        #expect(width * 1200 / 1800 - height <= 1)
    }

    /// The desktop modes decode in their own process, so that process is confined as a worker is:
    /// where the kernel has Landlock and seccomp, `--sandbox require` runs and gives the same files.
    @Test(.enabled(if: Sandbox.check(.require) == .ready))
    func theDesktopModesRunInTheSandbox() throws {
        let (root, _, cache) = try Self.workspace()
        let confined = try Self.run(["--xdg", "--sandbox", "require", "images"], in: root, cache: cache)
        #expect(confined.status == 0, "\(confined.stderr)")
        let open = try Self.run(["--xdg", "--sandbox", "off", "--force", "images"], in: root, cache: cache + "-off")
        #expect(open.status == 0)
        let names = Tool.names(cache + "/thumbnails/large")
        #expect(!names.isEmpty && names == Tool.names(cache + "-off/thumbnails/large"))
        for name in names {
            #expect(try FileIO.readAll(path: cache + "/thumbnails/large/" + name)
                    == FileIO.readAll(path: cache + "-off/thumbnails/large/" + name))
        }
        let one = try Tool.run(["--thumbnailer", "-s", "128", "--sandbox", "require", "images/basn6a08.png", root + "/one.png"],
                               in: root)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try Tool.size(of: root + "/one.png").0 == 32)
    }

    @Test func badDesktopUsageExits64() throws {
        let (root, _, cache) = try Self.workspace()
        for arguments in [["--xdg", "--xdg-size", "huge", "images"], ["--thumbnailer", "-s", "256", "images/basn6a08.png"],
                          ["--xdg", "--thumbnailer", "images"], ["--thumbnailer", "-s", "0", "images/basn6a08.png", "o.png"],
                          // Batch options are refused, not silently ignored.
                          ["--xdg", "--json", "images"], ["--xdg", "--out", "t", "images"], ["--xdg", "--size=64x64", "images"],
                          ["--thumbnailer", "-s", "64", "--format", "webp", "images/basn6a08.png", "o.png"]] {
            let run = try Self.run(arguments, in: root, cache: cache)
            #expect(run.status == 64, "\(arguments)")
        }
        #expect(FileIO.status(cache) == nil)
    }

    @Test func blurOnlyWhenGiven() throws {
        let (root, images, _) = try Self.workspace()
        let input = images + "/Landscape_1.jpg"
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        var pixels: [String: [UInt8]] = [:]
        for (label, options) in [("sharp", [String]()), ("blur2", ["--blur", "2"]), ("blur2eq", ["--blur=2"]),
                                 ("sharp0", ["--blur", "0"])] {
            let output = root + "/\(label).png"
            #expect(try Tool.run(["--thumbnailer", "-s", "128"] + options + [input, output], in: root).status == 0)
            pixels[label] = try renderer.decodeWhole(output).pixels
        }
        #expect(pixels["sharp"] == pixels["sharp0"])
        #expect(pixels["blur2"] == pixels["blur2eq"])
        #expect(pixels["sharp"] != pixels["blur2"])
        // The ordinary mode's default blur (2) is what --blur 2 gives here.
        #expect(try Tool.run(["--size", "128x128", "--format", "png", "--strip-icc", "--out", "plain", input], in: root).status == 0)
        #expect(try renderer.decodeWhole(root + "/plain/Landscape_1.png").pixels == pixels["blur2"])
    }

    /// The entry's Exec line, as a desktop would expand it.
    static func entryCommand(size: Int, input: String, output: String) throws -> [String] {
        let entry = try String(contentsOfFile: Tool.repo + "/packaging/thumbnail.thumbnailer", encoding: .utf8)
        let exec = entry.split(separator: "\n").first { $0.hasPrefix("Exec=") }!.dropFirst("Exec=".count)
        return exec.split(separator: " ").map { word in
            switch word {
            case "%s": return String(size)
            case "%i": return input
            case "%o": return output
            default: return String(word)
            }
        }
    }

    @Test func theThumbnailerEntrysCommandLineRendersOneFile() throws {
        let (root, images, _) = try Self.workspace()
        for (name, size) in [("a b#é.jpg", 128), ("basn6a08.png", 256), ("Portrait_1.jpg", 512)] {
            let output = root + "/out \(size).png"
            let command = try Self.entryCommand(size: size, input: images + "/" + name, output: output)
            #expect(command[0] == "thumbnail")
            let run = try Tool.run(Array(command.dropFirst()), in: root)
            #expect(run.status == 0 && run.stdout.isEmpty && run.stderr.isEmpty, "\(run.stderr)")
            let source = try Self.pillowSize(images + "/" + name)
            let thumb = try Tool.size(of: output)
            #expect(max(thumb.0, thumb.1) == min(size, max(source.0, source.1)))
            #expect(Array(try FileIO.readAll(path: output).prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        }
        let command = try Self.entryCommand(size: 256, input: Tool.fixtures + "/CREDITS.md", output: root + "/bad.png")
        let run = try Tool.run(Array(command.dropFirst()), in: root)
        #expect(run.status == 1 && run.stderrLines.count == 1)
        #expect(FileIO.status(root + "/bad.png") == nil)
    }

    /// GNOME runs thumbnailers under bubblewrap: no network, the input read-only, only the output
    /// folder writable. Run the entry's command so, when bwrap works on this machine.
    @Test func theThumbnailerRunsInsideBubblewrap() throws {
        let probe = try? Tool.runProgram("/usr/bin/bwrap", ["--ro-bind", "/", "/", "--unshare-all", "true"], in: "/")
        guard let probe, probe.status == 0 else {
            print("bubblewrap unavailable here; skipped: \(probe?.stderr ?? "no /usr/bin/bwrap")")
            return
        }
        let (root, images, _) = try Self.workspace()
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        let inner = try Self.entryCommand(size: 256, input: "/tmp/gnome-desktop-file-to-thumbnail.jpg",
                                          output: "/tmp/out/gnome-desktop-thumbnailer.png")
        let sandbox = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                       "--symlink", "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                       "--ro-bind", Tool.binary, "/opt/thumbnail/bin/thumbnail",
                       "--ro-bind", images + "/a b#é.jpg", "/tmp/gnome-desktop-file-to-thumbnail.jpg",
                       "--bind", root + "/out", "/tmp/out",
                       "--unshare-all", "--die-with-parent", "--clearenv", "--setenv", "PATH", "/opt/thumbnail/bin:/usr/bin",
                       "--chdir", "/"]
        let run = try Tool.runProgram("/usr/bin/bwrap", sandbox + inner, in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let thumb = try Tool.size(of: root + "/out/gnome-desktop-thumbnailer.png")
        #expect(thumb.0 == 227 && thumb.1 == 149)  // testorig.jpg is 227x149: never enlarged
        // And a failure in the sandbox is exit 1 with nothing written.
        let badInner = try Self.entryCommand(size: 256, input: "/tmp/gnome-desktop-file-to-thumbnail.jpg", output: "/tmp/out/bad.png")
        let bad = try Tool.runProgram("/usr/bin/bwrap", sandbox.map { $0 == images + "/a b#é.jpg" ? Tool.fixtures + "/CREDITS.md" : $0 } + badInner, in: root)
        #expect(bad.status == 1)
        #expect(Tool.names(root + "/out") == ["gnome-desktop-thumbnailer.png"])
    }
}

/// Through GNOME's real thumbnail factory (gir1.2-gnomedesktop-3.0 with python3-gi): it finds our
/// entry, runs the entry's command in its own bubblewrap sandbox with its seccomp filter, and
/// caches the result, which GIO then reports valid. The factory only sandboxes commands under
/// /usr, so the factory runs in a mount namespace where /usr/local/bin holds the built binary.
@Suite(.serialized) struct GNOMEThumbnailFactoryTests {
    @Test func theFactoryRunsOurEntryAndGIOAcceptsItsThumbnails() throws {
        let probe = try Tool.runProgram("/usr/bin/python3", ["-c", "import gi; gi.require_version('GnomeDesktop', '3.0'); from gi.repository import GnomeDesktop"], in: "/")
        let bwrap = try? Tool.runProgram("/usr/bin/bwrap", ["--dev-bind", "/", "/", "--tmpfs", "/usr/local/bin", "true"], in: "/")
        guard probe.status == 0, bwrap?.status == 0 else {
            print("GNOME thumbnail factory or bubblewrap unavailable; skipped (make deps installs them)")
            return
        }
        let (root, images, cache) = try XDGTests.workspace()
        try FileManager.default.createDirectory(atPath: root + "/data/thumbnailers", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tool.repo + "/packaging/thumbnail.thumbnailer",
                                         toPath: root + "/data/thumbnailers/thumbnail.thumbnailer")
        var arguments: [String] = []
        var references: [String: String] = [:]
        for (name, mime) in [("a b#é.jpg", "image/jpeg"), ("basn6a08.png", "image/png"), ("Portrait_1.jpg", "image/jpeg")] {
            let reference = root + "/reference-\(references.count).png"
            #expect(try Tool.run(["--thumbnailer", "-s", "256", images + "/" + name, reference], in: root).status == 0)
            arguments += [images + "/" + name, mime]
            references[images + "/" + name] = reference
        }
        // Only our entry is on XDG_DATA_DIRS, so no other thumbnailer can stand in for it.
        let run = try Tool.runProgram("/usr/bin/bwrap", [
            "--dev-bind", "/", "/", "--tmpfs", "/usr/local/bin", "--ro-bind", Tool.binary, "/usr/local/bin/thumbnail",
            "--setenv", "XDG_DATA_DIRS", root + "/data", "--setenv", "XDG_CACHE_HOME", cache,
            "--setenv", "GSETTINGS_SCHEMA_DIR", "/usr/share/glib-2.0/schemas", "--setenv", "GSETTINGS_BACKEND", "memory",
            "/usr/bin/python3", Tool.fixtures + "/gnome-factory.py",
        ] + arguments, in: root)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutLines.count == 3, "\(run.stdout)")
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        for line in run.stdoutLines {
            let fields = line.split(separator: "\t").map(String.init)
            try #require(fields.count == 2, "\(line)")
            let (file, saved) = (fields[0], fields[1])
            let gio = try XDGTests.gio(file, cache: cache)
            #expect(gio.valid == true && gio.path == saved, "\(file)")
            // The factory's pixels are the tool's exactly.
            let theirs = try renderer.decodeWhole(saved)
            let ours = try renderer.decodeWhole(references[file]!)
            #expect(theirs.width == ours.width && theirs.height == ours.height && theirs.channels == ours.channels)
            #expect(theirs.pixels == ours.pixels, "\(file)")
        }
    }
}
