import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// A bounded corpus-mutation fuzz of the whole decode path: real JPEGs, PNGs and WebPs with bytes flipped,
/// ranges overwritten or duplicated, and tails cut, each decoded and reduced in this process. Any
/// CodecError is fine; a crash, a hang or a non-CodecError is not. Seeded, so a failure replays.
@Suite struct MutationFuzzTests {
    static let seeds = ["jpeg/testorig.jpg", "jpeg/testimgari.jpg", "jpeg/testprog.jpg", "jpeg/patches-ycck.jpg",
                        "pngsuite/basn6a16.png", "pngsuite/basn3p04.png", "pngsuite/ibasn2c08.png", "pngsuite/basn0g01.png",
                        "testpngs/gray-alpha-16.png", "jpeg/vgl_5674_0098.png",
                        "webp/photo-lossless.webp", "webp/alpha-lossy.webp", "webp/animated-offset.webp", "webp/flower2.webp",
                        "webp/vp8l/photo-z9.webp", "webp/vp8l/alpha-exact.webp", "webp/vp8l/palette-16.webp",
                        "webp/vp8l/extended-icc-exif.webp"]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard bytes.count > 2 else { break }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &rng)]
            case 2:
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &rng))
                for i in at..<end { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            case 3:
                let end = min(bytes.count, at + Int.random(in: 1...256, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: min(bytes.count, end + Int.random(in: 0...16, using: &rng)))
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    @Test(arguments: seeds)
    func mutatedFilesNeverCrashTheDecoder(_ seed: String) throws {
        let original = try FileIO.readAll(path: Fixtures.path(seed))
        var rng = SplitMix64(seed: StableHash.of(seed).value)
        let folder = Fixtures.temporaryFolder()
        var spec = ThumbnailSpec()
        // A mutated animation's canvas is composed at full size (4 bytes a pixel): kept small, as
        // this process's own peak memory is what the memory tests' children start from.
        spec.maxPixels = seed.hasSuffix(".webp") ? 4_000_000 : 50_000_000
        let renderer = ThumbnailRenderer(spec: spec)
        var failures = 0, successes = 0
        for round in 0..<80 {
            let mutated = Self.mutate(original, &rng)
            let path = folder + "/case-\(round)"
            try FileIO.writeAtomically(mutated, to: path)
            do {
                let images = try renderer.thumbnails(of: path, boxes: [BoxSize(width: 20, height: 20), BoxSize(width: 7, height: nil)])
                #expect(images.count == 2)
                successes += 1
            } catch {
                failures += 1
            }
        }
        #expect(failures + successes == 80)
        // The original still renders through the same (reused) renderer.
        try FileIO.writeAtomically(original, to: folder + "/original")
        #expect(try renderer.thumbnails(of: folder + "/original", boxes: [BoxSize(width: 20, height: 20)]).count == 1)
    }
}
