import Foundation
@testable import ThumbnailKit

/// Pillow's decode of fixture files, run live through Tests/Reference/pillow_decode.py with
/// Debian's Pillow: the pixels the differential check's reference starts from.
struct PillowDecode {
    var file: String
    var image: PixelBuffer
    var frames: Int
    var iccProfile: [UInt8]?

    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Reference/pillow_decode.py").path

    /// Pillow's decodes of `files` (paths relative to Tests/Fixtures), by file; files Pillow
    /// cannot decode are missing.
    static func decode(_ files: [String]) throws -> [String: PillowDecode] {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-W", "ignore", script, folder] + files.map(Fixtures.path)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var decodes: [String: PillowDecode] = [:]
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let width = object["width"] as? Int, let height = object["height"] as? Int,
                  let channels = object["channels"] as? Int else { continue }
            let pixels = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/\(i).raw")))
            let icc = (object["icc"] as? String).map { hex in
                stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
            }
            decodes[files[i]] = PillowDecode(file: files[i], image: PixelBuffer(width: width, height: height, channels: channels, pixels: pixels),
                                             frames: object["frames"] as? Int ?? 1, iccProfile: icc)
        }
        return decodes
    }
}

extension PixelBuffer {
    /// Gray as RGB, gray+alpha as RGBA: the layout Pillow's reference converts to.
    var asRGB: PixelBuffer {
        guard channels <= 2 else { return self }
        let out = channels + 2
        var bytes = [UInt8](repeating: 0, count: width * height * out)
        for i in 0..<(width * height) {
            let v = pixels[i * channels]
            bytes[i * out] = v; bytes[i * out + 1] = v; bytes[i * out + 2] = v
            if channels == 2 { bytes[i * out + 3] = pixels[i * 2 + 1] }
        }
        return PixelBuffer(width: width, height: height, channels: out, pixels: bytes)
    }

    /// The largest difference of any sample from `other` (same size and layout), colour
    /// compared premultiplied by alpha (as it is seen: the colour of a nearly transparent pixel
    /// barely shows, and decoders round it differently).
    func largestDifference(from other: PixelBuffer) -> Int {
        precondition(width == other.width && height == other.height && channels == other.channels)
        var largest = 0
        let alpha = channels == 4
        for i in 0..<(width * height) {
            let a = alpha ? Int(pixels[i * 4 + 3]) : 255, b = alpha ? Int(other.pixels[i * 4 + 3]) : 255
            for c in 0..<channels {
                let mine = Int(pixels[i * channels + c]), theirs = Int(other.pixels[i * channels + c])
                let difference = alpha && c < 3 ? abs(mine * a - theirs * b) / 255 : abs(mine - theirs)
                largest = max(largest, difference)
            }
        }
        return largest
    }
}
