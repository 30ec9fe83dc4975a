import Foundation
@testable import ThumbnailKit
import ThumbnailTestSupport

/// Paths of the fixture files under Tests/Fixtures (copied from the shared corpus; see CREDITS.md).
enum Fixtures {
    static let root: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func files(in folder: String, ending suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path(folder))) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
    }

    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("expected/\(name).json")))
        return try JSONDecoder().decode(type, from: data)
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "thumbnail-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// Peak signal-to-noise ratio between two images of the same size and layout, in dB.
func psnr(_ a: PixelBuffer, _ b: PixelBuffer) -> Double { a.psnr(to: b) }

extension PixelBuffer {
    /// Per-channel means.
    var channelMeans: [Double] {
        var sums = [Double](repeating: 0, count: channels)
        for i in 0..<pixels.count { sums[i % channels] += Double(pixels[i]) }
        return sums.map { $0 / Double(width * height) }
    }
}

/// A small deterministic pseudo-random generator (SplitMix64): the same sequence on every machine,
/// so a fuzz failure replays.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
