import Foundation
import Testing
import CTurboJPEG
@testable import ThumbnailKit

/// The DC-scan decoder against TurboJPEG at 1/8 scale, on progressive files made with libjpeg-turbo's
/// cjpeg/jpegtran (every chroma subsampling, gray, restart intervals, odd sizes, several scan scripts)
/// and on progressive files from the corpus and Pillow's test images.
@Suite struct ProgressiveDCDecoderTests {
    /// One file to make: a picture of `width` x `height` (tiles of libjpeg-turbo's testorig.jpg),
    /// coded by `cjpeg -progressive` with `options`, or re-coded by `jpegtran` with `transcode`.
    struct Made: CustomStringConvertible, Sendable {
        var width: Int
        var height: Int
        var gray = false
        var options: [String] = []
        var scans: String? = nil
        var description: String { "\(width)x\(height)\(gray ? " gray" : "") \(options.joined(separator: " "))\(scans == nil ? "" : " scans")" }
    }

    /// Each sampling cjpeg offers, gray, restart intervals in rows and in MCUs, qualities, odd sizes.
    static let made: [Made] = [
        Made(width: 227, height: 149, options: ["-sample", "1x1"]),
        Made(width: 227, height: 149, options: ["-sample", "2x1"]),
        Made(width: 227, height: 149, options: ["-sample", "2x2"]),
        Made(width: 227, height: 149, options: ["-sample", "1x2"]),
        Made(width: 227, height: 149, options: ["-sample", "4x1"]),
        Made(width: 227, height: 149, gray: true),
        Made(width: 227, height: 149, options: ["-sample", "2x2", "-restart", "1"]),
        Made(width: 227, height: 149, options: ["-sample", "1x1", "-restart", "3B"]),
        Made(width: 227, height: 149, gray: true, options: ["-restart", "5B"]),
        Made(width: 227, height: 149, options: ["-quality", "100", "-sample", "1x1"]),
        Made(width: 227, height: 149, options: ["-quality", "30", "-sample", "2x2"]),
        Made(width: 5, height: 1, options: ["-sample", "2x2"]),
        Made(width: 1, height: 5, gray: true),
        Made(width: 17, height: 9, options: ["-sample", "2x2"]),
        Made(width: 17, height: 9, options: ["-sample", "2x1", "-restart", "1B"]),
        Made(width: 4097, height: 3, options: ["-sample", "2x2"]),
        Made(width: 3, height: 4097, options: ["-sample", "1x1"]),
        Made(width: 9, height: 17, gray: true),
        Made(width: 1000, height: 700, options: ["-sample", "1x1"]),
        Made(width: 1000, height: 700, options: ["-sample", "2x2"]),
        // Scan scripts (cjpeg -scans): DC one component a scan without successive approximation;
        // DC in two refinements with restarts; luma DC apart from chroma DC; 4:2:0 chroma AC in
        // bands and bit planes (the AC scans this decoder reads), with a restart every MCU row.
        Made(width: 227, height: 149, options: ["-sample", "2x2"],
             scans: "0: 0 0 0 0;1: 0 0 0 0;2: 0 0 0 0;0: 1 63 0 0;1: 1 63 0 0;2: 1 63 0 0;"),
        Made(width: 227, height: 149, options: ["-sample", "1x1", "-restart", "2"],
             scans: "0 1 2: 0 0 0 2;0 1 2: 0 0 2 1;0: 1 5 0 0;1: 1 63 0 0;2: 1 63 0 0;0: 6 63 0 0;0 1 2: 0 0 1 0;"),
        Made(width: 227, height: 149, options: ["-sample", "2x1"],
             scans: "0: 0 0 0 1;1 2: 0 0 0 0;0: 1 63 0 0;1: 1 63 0 0;2: 1 63 0 0;0: 0 0 1 0;"),
        Made(width: 301, height: 203, options: ["-sample", "2x2", "-restart", "1", "-quality", "95"],
             scans: "0 1 2: 0 0 0 1;0: 1 63 0 1;1: 1 9 0 2;1: 10 63 0 2;1: 1 63 2 1;1: 1 63 1 0;"
                 + "2: 1 5 0 0;2: 6 63 0 0;0: 1 63 1 0;0 1 2: 0 0 1 0;"),
    ]

    /// Progressive files made elsewhere: ImageMagick (testprog.jpg), Pillow's test images.
    static let found: [String] = [
        Fixtures.path("jpeg/testprog.jpg"),
        Fixtures.path("progressive/app13-multiple.jpg"),
    ]

    /// Pillow's larger progressive test image, read from its unpacked source when present (512 KB:
    /// too big to copy into the fixtures).
    static let pillowImages = "/tmp/pillow/pillow-11.0.0/Tests/images"

    /// The testorig.jpg picture tiled (mirrored at each edge, so there is no seam) to any size.
    static func picture(width: Int, height: Int, gray: Bool) throws -> PixelBuffer {
        let data = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
        let decoder = try JPEGDecoder()
        let source = try decoder.decode(data, header: try decoder.readHeader(data), eighths: 8)
        func fold(_ i: Int, _ n: Int) -> Int { let m = i % (2 * n); return m < n ? m : 2 * n - 1 - m }
        var image = PixelBuffer(width: width, height: height, channels: gray ? 1 : 3)
        for y in 0..<height {
            for x in 0..<width {
                let sx = fold(x, source.width), sy = fold(y, source.height)
                if gray {
                    let r = 77 * Int(source[sx, sy, 0]), g = 150 * Int(source[sx, sy, 1]), b = 29 * Int(source[sx, sy, 2])
                    image[x, y, 0] = UInt8((r + g + b) >> 8)
                } else {
                    for c in 0..<3 { image[x, y, c] = source[sx, sy, c] }
                }
            }
        }
        return image
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func make(_ spec: Made) throws -> [UInt8] {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let image = try picture(width: spec.width, height: spec.height, gray: spec.gray)
        let header = "\(spec.gray ? "P5" : "P6")\n\(spec.width) \(spec.height)\n255\n"
        try Data(Array(header.utf8) + image.pixels).write(to: URL(fileURLWithPath: folder + "/in.pnm"))
        var options = ["-progressive", "-outfile", folder + "/out.jpg"] + spec.options
        if let scans = spec.scans {
            try scans.write(toFile: folder + "/scans.txt", atomically: true, encoding: .utf8)
            options += ["-scans", folder + "/scans.txt"]
        }
        try run("/usr/bin/cjpeg", options + [folder + "/in.pnm"])
        return try FileIO.readAll(path: folder + "/out.jpg")
    }

    /// Both decodes at 1/8, or nil when the fast path declined the file.
    static func decodeBothWays(_ data: [UInt8]) throws -> (fast: PixelBuffer, reference: PixelBuffer)? {
        let decoder = try JPEGDecoder()
        let header = try decoder.readHeader(data)
        let reference = try decoder.decode(data, header: header, eighths: 1)
        guard let fast = ProgressiveDCDecoder.decode(data, header: header) else { return nil }
        return (fast, reference)
    }

    /// The thumbnail the renderer makes from a 1/8 decode (Lanczos reduction into a 64x64 box).
    static func thumbnail(_ decoded: PixelBuffer, sourceWidth: Int, sourceHeight: Int) -> PixelBuffer {
        let plan = ShrinkPlan.make(sourceWidth: sourceWidth, sourceHeight: sourceHeight, box: BoxSize(width: 64, height: 64),
                                   blurSigma: 0, shrinkOnLoad: .dctEighths).decoded(atEighths: 1)
        let reducer = SeparableReducer(sourceWidth: plan.decodedWidth, sourceHeight: plan.decodedHeight, channels: decoded.channels,
                                       horizontal: plan.horizontalWeights, vertical: plan.verticalWeights, boxShrink: 1)
        reducer.consume(decoded)
        return reducer.finish()
    }

    static func check(_ data: [UInt8], _ name: String) throws {
        let decoder = try JPEGDecoder()
        let header = try decoder.readHeader(data)
        let pair = try #require(try decodeBothWays(data), "\(name): the fast path declined it")
        #expect(pair.fast.width == pair.reference.width && pair.fast.height == pair.reference.height
                && pair.fast.channels == pair.reference.channels, "\(name)")
        guard pair.fast.width == pair.reference.width, pair.fast.height == pair.reference.height else { return }
        let decodedPSNR = psnr(pair.fast, pair.reference)
        let thumbPSNR = psnr(thumbnail(pair.fast, sourceWidth: header.width, sourceHeight: header.height),
                             thumbnail(pair.reference, sourceWidth: header.width, sourceHeight: header.height))
        // 99 dB is the PSNR of identical images; libjpeg-turbo 2.1 gives identical ones today.
        print("PSNR \(name): 1/8 \(decodedPSNR) dB, thumbnail \(thumbPSNR) dB, identical: \(pair.fast == pair.reference)")
        #expect(decodedPSNR >= 45, "\(name)")
        #expect(thumbPSNR >= 45, "\(name)")
    }

    @Test(arguments: made)
    func agreesWithTurboJPEGOnMadeFiles(_ spec: Made) throws {
        try Self.check(try Self.make(spec), spec.description)
    }

    @Test(arguments: found)
    func agreesWithTurboJPEGOnFoundFiles(_ path: String) throws {
        try Self.check(try FileIO.readAll(path: path), path)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: pillowImages + "/icc_profile_big.jpg")))
    func agreesWithTurboJPEGOnPillowsICCImage() throws {
        try Self.check(try FileIO.readAll(path: Self.pillowImages + "/icc_profile_big.jpg"), "icc_profile_big.jpg")
    }

    /// Every JPEG among Pillow's test images, re-coded by `jpegtran -progressive`: whatever the
    /// fast path decodes agrees with TurboJPEG, and it decodes most of them.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: pillowImages)))
    func agreesWithTurboJPEGOnPillowsImagesMadeProgressive() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.pillowImages).filter { $0.hasSuffix(".jpg") }.sorted()
        var decoded = 0, recoded = 0, worst = 99.0
        for name in names {
            // Large pictures are left out: jpegtran holds every coefficient, and all tests share one
            // process whose children's peak memory FaultTests checks (under 64 MB).
            guard let source = try? FileIO.readAll(path: Self.pillowImages + "/" + name),
                  let size = try? JPEGDecoder().readHeader(source), size.width * size.height <= 2_000_000 else { continue }
            let output = folder + "/" + name
            guard (try? Self.run("/usr/bin/jpegtran", ["-progressive", "-copy", "all", "-outfile", output,
                                                       Self.pillowImages + "/" + name])) != nil,
                  let data = try? FileIO.readAll(path: output) else { continue }  // jpegtran refuses some broken files
            recoded += 1
            let decoder = try JPEGDecoder()
            guard let header = try? decoder.readHeader(data), let fast = ProgressiveDCDecoder.decode(data, header: header) else { continue }
            let reference = try decoder.decode(data, header: header, eighths: 1)
            decoded += 1
            worst = min(worst, psnr(fast, reference))
            #expect(psnr(fast, reference) >= 45, "\(name)")
        }
        print("PSNR Pillow's images made progressive: \(decoded) of \(recoded) decoded, min \(worst) dB")
        #expect(decoded >= recoded / 2)
    }

    /// Not progressive, arithmetic-coded, tiny, or progressive with DC scans only (libjpeg-turbo
    /// then smooths blocks): the fast path declines and TurboJPEG decodes.
    @Test func declinesWhatItDoesNotDecodeLikeTurboJPEG() throws {
        let decoder = try JPEGDecoder()
        for file in ["jpeg/testorig.jpg", "jpeg/testimgari.jpg", "jpeg/test444.jpg"] {
            let data = try FileIO.readAll(path: Fixtures.path(file))
            #expect(ProgressiveDCDecoder.decode(data, header: try decoder.readHeader(data)) == nil, "\(file)")
        }
        // At most 4x4 pixels: TurboJPEG decodes those at 1/4 or more (same output size as 1/8).
        for tiny in [Made(width: 4, height: 4, options: ["-sample", "2x2"]), Made(width: 1, height: 1, gray: true)] {
            let data = try Self.make(tiny)
            #expect(ProgressiveDCDecoder.decode(data, header: try decoder.readHeader(data)) == nil, "\(tiny)")
        }
        var dcOnly = Made(width: 64, height: 48, options: ["-sample", "2x2"], scans: "0 1 2: 0 0 0 1;0 1 2: 0 0 1 0;")
        var data = try Self.make(dcOnly)
        #expect(ProgressiveDCDecoder.decode(data, header: try decoder.readHeader(data)) == nil)
        // The same picture with AC scans is decoded: the refusal above is the smoothing rule.
        dcOnly.scans! += "0: 1 63 0 0;1: 1 63 0 0;2: 1 63 0 0;"
        data = try Self.make(dcOnly)
        #expect(ProgressiveDCDecoder.decode(data, header: try decoder.readHeader(data)) != nil)
    }

    /// Truncated or damaged files go to TurboJPEG, which keeps its verdict on them.
    @Test func declinesTruncatedAndDamagedFiles() throws {
        let decoder = try JPEGDecoder()
        let truncated = try FileIO.readAll(path: Fixtures.path("progressive/truncated_jpeg.jpg"))
        #expect(ProgressiveDCDecoder.decode(truncated, header: try decoder.readHeader(truncated)) == nil)
        let whole = try Self.make(Made(width: 227, height: 149, options: ["-sample", "2x2"]))
        let header = try decoder.readHeader(whole)
        #expect(ProgressiveDCDecoder.decode(whole, header: header) != nil)
        // Cut anywhere: always declined (the end of the file is never reached).
        for length in stride(from: 200, to: whole.count - 2, by: max(1, whole.count / 40)) {
            #expect(ProgressiveDCDecoder.decode(Array(whole[..<length]), header: header) == nil, "cut at \(length)")
        }
        // A marker in the middle of the first (DC) scan's data: declined.
        let sos = try #require(whole.indices.dropLast().first { whole[$0] == 0xFF && whole[$0 + 1] == 0xDA })
        var damaged = whole
        let at = sos + 2 + (Int(whole[sos + 2]) << 8 | Int(whole[sos + 3])) + 5
        damaged[at] = 0xFF
        damaged[at + 1] = 0xD9
        #expect(ProgressiveDCDecoder.decode(damaged, header: header) == nil)
        // A restart marker missing from, or misnumbered in, a skipped (luma AC) scan: declined.
        let restarted = try Self.make(Made(width: 227, height: 149, options: ["-sample", "1x1", "-restart", "1"]))
        let restartedHeader = try decoder.readHeader(restarted)
        #expect(ProgressiveDCDecoder.decode(restarted, header: restartedHeader) != nil)
        let scans = restarted.indices.dropLast().filter { restarted[$0] == 0xFF && restarted[$0 + 1] == 0xDA }
        let lastScan = try #require(scans.last)  // libjpeg's script ends with a luma AC scan
        let lastRestart = try #require(restarted.indices.dropLast().last { $0 > lastScan && restarted[$0] == 0xFF && (0xD0...0xD7).contains(restarted[$0 + 1]) })
        var misnumbered = restarted
        misnumbered[lastRestart + 1] = 0xD0 + (restarted[lastRestart + 1] - 0xD0 + 1) % 8
        #expect(ProgressiveDCDecoder.decode(misnumbered, header: restartedHeader) == nil)
        let missing = Array(restarted[..<lastRestart] + restarted[(lastRestart + 2)...])
        #expect(ProgressiveDCDecoder.decode(missing, header: restartedHeader) == nil)
    }

    /// Every byte flipped in turn in a small file: the fast path never crashes, and whatever it
    /// returns has TurboJPEG's size.
    @Test func survivesEveryByteFlipped() throws {
        let decoder = try JPEGDecoder()
        let whole = try Self.make(Made(width: 40, height: 24, options: ["-sample", "2x2", "-restart", "1"]))
        let header = try decoder.readHeader(whole)
        for i in 2..<whole.count {
            var flipped = whole
            flipped[i] ^= 0x55
            if let image = ProgressiveDCDecoder.decode(flipped, header: header) {
                #expect(image.width == 5 && image.height == 3)
            }
        }
    }
}
