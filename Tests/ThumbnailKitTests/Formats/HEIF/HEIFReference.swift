import Foundation
@testable import ThumbnailKit

/// Debian's reference decoders for HEIF and AVIF (`heif-convert` from libheif-examples, `avifdec`
/// from libavif-bin), run on a file and read back as PNG in thumbnail's layout.
enum HEIFReference {
    /// Runs `program` with `arguments`; true when it exits 0.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// `image` with gray widened to RGB(A), as libheif delivers every image to this tool.
    static func asRGB(_ image: PixelBuffer) -> PixelBuffer {
        image.colorChannels == 1 ? image.widenedToRGB() : image
    }

    /// The file's images as `heif-convert` writes them (one PNG per top-level image; 16-bit PNGs
    /// rounded to 8 bits by our PNG reader), or nil when it cannot decode the file.
    static func heifConvert(_ path: String) throws -> [PixelBuffer]? {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard try run("/usr/bin/heif-convert", ["--quiet", path, folder + "/out.png"]) else { return nil }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }
        // One image: out.png; several: out-1.png, out-2.png, ... in top-level image order.
        let ordered = names.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
        return try ordered.map { asRGB(try PNGDecoder(path: folder + "/" + $0, maxDimension: 1 << 20).readImage()) }
    }

    /// What `avifdec` makes of `path`, or nil when it cannot decode it.
    static func avifdec(_ path: String) throws -> PixelBuffer? {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard try run("/usr/bin/avifdec", [path, folder + "/out.png"]) else { return nil }
        return asRGB(try PNGDecoder(path: folder + "/out.png", maxDimension: 1 << 20).readImage())
    }
}
