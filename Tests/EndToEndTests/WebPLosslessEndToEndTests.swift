import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// The built tool reading still lossless WebPs with our VP8L decoder against the same tool with
/// `THUMBNAIL_WEBP_DECODER=libwebp` (workers inherit it). libwebp scales while it decodes and ours
/// box-shrinks full-size rows, so thumbnails agree closely rather than byte for byte; sizes,
/// failures and the image's own pixels (when not reduced) are the same.
@Suite struct WebPLosslessEndToEndTests {
    static func thumbnail(_ arguments: [String], in root: String, libwebp: Bool) throws -> Tool.Run {
        let setting = libwebp ? ["THUMBNAIL_WEBP_DECODER=libwebp"] : ["-u", "THUMBNAIL_WEBP_DECODER"]
        return try Tool.runProgram("/usr/bin/env", setting + [Tool.binary] + arguments, in: root)
    }

    @Test func bothDecodersGiveTheSameThumbnails() throws {
        let names = (try FileManager.default.contentsOfDirectory(atPath: Tool.fixtures + "/webp/vp8l")).filter { $0.hasSuffix(".webp") }
        let files = names.sorted().map { "webp/vp8l/" + $0 } + ["webp/photo-lossless.webp", "webp/alpha-lossless.webp"]
        #expect(files.count > 20)
        // A truncated copy fails both ways.
        let root = try Tool.workspace(files)
        let whole = try Data(contentsOf: URL(fileURLWithPath: Tool.fixtures + "/webp/vp8l/photo-z6.webp"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: root + "/images/cut.webp"))
        let arguments = ["images", "--size", "64x64,17x", "--format", "png"]
        let ours = try Self.thumbnail(arguments + ["--out", "ours"], in: root, libwebp: false)
        let reference = try Self.thumbnail(arguments + ["--out", "reference"], in: root, libwebp: true)
        #expect(ours.status == 1 && reference.status == 1)
        #expect(ours.stderrLines.contains { $0.contains("cut.webp") } && reference.stderrLines.contains { $0.contains("cut.webp") })
        let made = Tool.names(root + "/ours").sorted()
        #expect(made == Tool.names(root + "/reference").sorted())
        #expect(made.count == 2 * files.count, "\(made)")
        for name in made {
            let a = try PNGDecoder(path: root + "/ours/" + name, maxDimension: 1 << 16).readImage()
            let b = try PNGDecoder(path: root + "/reference/" + name, maxDimension: 1 << 16).readImage()
            #expect(a.width == b.width && a.height == b.height && a.channels == b.channels, "\(name)")
            guard a.width == b.width && a.height == b.height && a.channels == b.channels else { continue }
            let grey = RGBColor(red: 128, green: 128, blue: 128)
            let score = a.flattened(onto: grey).psnr(to: b.flattened(onto: grey))
            #expect(score > 35, "\(name): \(score) dB")
        }
    }
}
