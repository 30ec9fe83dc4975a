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

/// The tests' seeded generator (ThumbnailTestSupport), under the name these tests know.
typealias SplitMix64 = SeededRandom
