import Foundation
import Testing
import ThumbnailKit

/// The built tool with the fast PNG path against the same tool with `THUMBNAIL_PNG_DECODER=libpng`
/// (workers inherit it): the same thumbnails byte for byte, the same failures, and huge 8-bit PNGs
/// (plain and Adam7) still thumbnailed in little memory.
@Suite struct PNGFastPathEndToEndTests {
    /// Runs the tool on `images` into `out`, with the fast path or libpng only.
    static func thumbnail(_ arguments: [String], in root: String, libpng: Bool) throws -> Tool.Run {
        let setting = libpng ? ["THUMBNAIL_PNG_DECODER=libpng"] : ["-u", "THUMBNAIL_PNG_DECODER"]
        return try Tool.runProgram("/usr/bin/env", setting + [Tool.binary] + arguments, in: root)
    }

    /// Every file under `folder`, relative, with its bytes.
    static func contents(_ folder: String) throws -> [String: Data] {
        var all: [String: Data] = [:]
        for name in Tool.names(folder) { all[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) }
        return all
    }

    /// Every fixture PNG (PngSuite, libpng's test images with crashers and bad palettes, Pillow's,
    /// the fast path's own), thumbnailed in two sizes by the worker pool both ways.
    @Test func thumbnailsAndFailuresAreLibpngsByteForByte() throws {
        let folders = ["pngsuite", "testpngs", "testpngs/crashers", "testpngs/badpal", "pillow", "pngfast"]
        var files: [String] = []
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: Tool.fixtures + "/" + folder)) ?? []
            files += names.filter { $0.hasSuffix(".png") }.sorted().map { folder + "/" + $0 }
        }
        #expect(files.count > 400)
        let root = try Tool.workspace(files, names: files.map { $0.replacingOccurrences(of: "/", with: "-") })
        let arguments = ["images", "--size", "64x64,17x", "--format", "png,jpeg"]
        let fast = try Self.thumbnail(arguments + ["--out", "fast"], in: root, libpng: false)
        let reference = try Self.thumbnail(arguments + ["--out", "reference"], in: root, libpng: true)
        #expect(fast.status == reference.status)
        #expect(fast.stderrLines.filter { !$0.contains(" thumbnails in ") }.sorted()
                == reference.stderrLines.filter { !$0.contains(" thumbnails in ") }.sorted())
        let made = try Self.contents(root + "/fast")
        #expect(made.count > 1000, "\(made.count) thumbnails")
        #expect(made == (try Self.contents(root + "/reference")))
    }

    /// Writes a `side` x `side` 8-bit PNG (gray plain, or RGB Adam7), black with a white middle
    /// square, streamed through Python's zlib: 400 MB and 432 MB as frames, small on disk.
    static func makeHuge(_ path: String, side: Int, interlaced: Bool) throws {
        let script = """
        import struct, sys, zlib
        path, side, interlaced = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
        bpp = 3 if interlaced else 1
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        lo, hi = side // 4, side * 3 // 4
        passes = [(0, 8, 0, 8), (0, 8, 4, 8), (4, 8, 0, 4), (0, 4, 2, 4), (2, 4, 0, 2), (0, 2, 1, 2), (1, 2, 0, 1)] if interlaced else [(0, 1, 0, 1)]
        z = zlib.compressobj(6)
        out = open(path, "wb")
        out.write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2 if interlaced else 0, 0, 0, 1 if interlaced else 0)))
        def flush(data):
            if data:
                out.write(chunk(b"IDAT", data))
        for y0, dy, x0, dx in passes:
            xs = range(x0, side, dx)
            if not xs:
                continue
            inside = sum(1 for x in xs if lo <= x < hi)
            before = sum(1 for x in xs if x < lo)
            black = b"\\x00" + bytes(len(xs) * bpp)
            white = b"\\x00" + bytes(before * bpp) + b"\\xff" * (inside * bpp) + bytes((len(xs) - before - inside) * bpp)
            for y in range(y0, side, dy):
                flush(z.compress(white if lo <= y < hi else black))
        flush(z.flush())
        out.write(chunk(b"IEND", b""))
        """
        let run = try Tool.runProgram("/usr/bin/python3", ["-c", script, path, String(side), interlaced ? "1" : "0"],
                                      in: NSTemporaryDirectory())
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// A 20000x20000 8-bit gray PNG and a 12000x12000 8-bit RGB Adam7 one, on the fast path: peak
    /// memory far below a frame, and the thumbnail the libpng path makes.
    @Test(arguments: [(20000, false), (12000, true)])
    func aHugeEightBitPNGNeedsAFewRows(_ side: Int, _ interlaced: Bool) throws {
        let root = try Tool.workspace([])
        try Self.makeHuge(root + "/images/huge.png", side: side, interlaced: interlaced)
        // GNU time's %M: the peak of the tool and of every worker it waited for.
        let run = try Tool.runProgram("/usr/bin/time", ["-f", "%M", "-o", "peak", "/usr/bin/env", "-u", "THUMBNAIL_PNG_DECODER",
                                                        Tool.binary, "images", "--out", "t", "--blur", "0", "--size", "30x30"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let peak = try #require(Int(String(contentsOfFile: root + "/peak", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(peak < 64 * 1024, "peak \(peak) KiB")
        let thumb = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/huge.png")
        #expect(thumb.width == 30 && thumb.height == 30)
        #expect(thumb[15, 15, 0] == 255 && thumb[2, 2, 0] == 0 && thumb[27, 15, 0] == 0)
        let reference = try Self.thumbnail(["images", "--out", "r", "--blur", "0", "--size", "30x30"], in: root, libpng: true)
        #expect(reference.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/t/huge.png")) == Data(contentsOf: URL(fileURLWithPath: root + "/r/huge.png")))
    }
}
