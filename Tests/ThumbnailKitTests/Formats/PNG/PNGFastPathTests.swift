import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// The fast PNG path (ISA-L inflate, SSE2 unfilter) against libpng, its reference: the same rows
/// in the same order and places, the same thumbnails byte for byte, the same verdict on damaged
/// files; over every fixture PNG, this project's awkward and damaged streams, and seeded mutations.
@Suite struct PNGFastPathTests {
    /// Every PNG among the fixtures: PngSuite, libpng's test images (crashers and bad palettes
    /// included), Pillow's, and the fast path's own (`pngfast/make-pngfast.py`).
    static let files: [String] = ["pngsuite", "testpngs", "testpngs/crashers", "testpngs/badpal", "pillow", "pngfast"]
        .flatMap { Fixtures.files(in: $0, ending: ".png") }

    /// What a decoder made of a file: every row with its place, or its error.
    enum Outcome: Equatable {
        case rows(width: Int, height: Int, channels: Int, rows: [[UInt8]], places: [PNGDecoder.PassRow])
        case failed(CodecError)

        var succeeded: Bool { if case .rows = self { true } else { false } }
    }

    /// Reads every row of `path` (pass rows for Adam7) with `backend`; `fast` says whether the
    /// fast path read them. The decoder's own rows: no fallback to libpng here.
    static func rows(_ path: String, backend: PNGDecoder.Backend) -> (outcome: Outcome, fast: Bool) {
        var fast = false
        do throws(CodecError) {
            let decoder = try PNGDecoder(path: path, maxDimension: 1 << 20, deinterlace: false, backend: backend)
            fast = decoder.usesFastPath
            var rows: [[UInt8]] = []
            var places: [PNGDecoder.PassRow] = []
            if decoder.interlaced {
                try decoder.readPassRows { row, place in
                    rows.append(Array(UnsafeBufferPointer(start: row, count: place.count * decoder.channels)))
                    places.append(place)
                }
            } else {
                try decoder.readRows { row in rows.append(Array(UnsafeBufferPointer(start: row, count: decoder.width * decoder.channels))) }
            }
            return (.rows(width: decoder.width, height: decoder.height, channels: decoder.channels, rows: rows, places: places), fast)
        } catch {
            return (.failed(error), fast)
        }
    }

    /// What the tool makes of a file through `PNGSource`, fallback included: thumbnails (two
    /// sizes, blurred and not) and the fingerprint of the bytes read, and the whole-image decode.
    struct Rendering: Equatable {
        var thumbnails: Result<[PixelBuffer], CodecError>
        var fingerprint: String?
        var whole: Result<PixelBuffer, CodecError>
    }

    static func render(_ path: String, backend: PNGDecoder.Backend) -> Rendering {
        var fingerprint: String?
        let thumbnails = Result { () throws(CodecError) -> [PixelBuffer] in
            let source = try PNGSource(path: path, fingerprinting: true, backend: backend)
            let (width, height) = (source.header.width, source.header.height)
            let images = try source.reduce(into: [
                ShrinkPlan.make(sourceWidth: width, sourceHeight: height, box: BoxSize(width: 16, height: 16), blurSigma: 0.8, shrinkOnLoad: .wholeBox),
                ShrinkPlan.make(sourceWidth: width, sourceHeight: height, box: BoxSize(width: 5, height: nil), blurSigma: 0, shrinkOnLoad: .wholeBox),
            ])
            fingerprint = try source.fingerprint()
            return images
        }
        let whole = Result { () throws(CodecError) -> PixelBuffer in
            try PNGSource(path: path, fingerprinting: false, backend: backend).decodeWhole()
        }
        return Rendering(thumbnails: thumbnails, fingerprint: fingerprint, whole: whole)
    }

    @Test func theFixturesAreThere() {
        #expect(Self.files.count > 400, "\(Self.files.count)")
    }

    /// Every fixture: where the fast path reads a file libpng decodes, its rows are libpng's, row
    /// for row, byte for byte; where libpng fails, it fails too. It must read every 8-bit image
    /// libpng decodes (save the few damaged streams libpng only warns about).
    @Test func everyFixtureDecodesToLibpngsRows() throws {
        var compared = 0, fastFiles = 0
        var refused: [String] = []
        for file in Self.files {
            let path = Fixtures.path(file)
            let reference = Self.rows(path, backend: .libpng)
            #expect(!reference.fast)
            let fast = Self.rows(path, backend: .automatic)
            compared += 1
            guard fast.fast else { continue }
            fastFiles += 1
            if reference.outcome.succeeded {
                if fast.outcome.succeeded {
                    #expect(fast.outcome == reference.outcome, "\(file)")
                } else {
                    refused.append(file)
                }
            } else {
                #expect(!fast.outcome.succeeded, "\(file): libpng fails (\(reference.outcome)), the fast path did not")
            }
        }
        // libpng decodes these with a warning; the fast path refuses them and the source falls back.
        #expect(Set(refused) == ["pngfast/extra-row.png", "pngfast/garbage-after-stream.png"], "\(refused)")
        #expect(compared == Self.files.count)
        // Every 8-bit gray, gray+alpha, RGB, RGBA and palette file whose header libpng reads: 437
        // of the 569 when written.
        #expect(fastFiles >= 430, "\(fastFiles) files on the fast path")
    }

    /// The tool's thumbnails, the whole-image decode and the fingerprint of every fixture are the
    /// libpng path's, byte for byte; and so is every error (the fast path's refusals fall back).
    @Test func everyFixtureThumbnailsLikeLibpng() {
        for file in Self.files {
            let path = Fixtures.path(file)
            #expect(Self.render(path, backend: .automatic) == Self.render(path, backend: .libpng), "\(file)")
        }
    }

    /// Damage a chunk CRC cannot see is still caught: the fast decoder itself fails on a wrong
    /// Adler-32, a distance past the declared window, missing data, a bad filter, a preset
    /// dictionary, a chunk between IDATs and a wrong IDAT CRC. A truncated file fails as truncated.
    @Test func damageIsDetectedByTheFastPath() throws {
        for name in ["bad-adler", "distance-past-window", "missing-row", "filter-5", "preset-dictionary",
                     "chunk-between-idats", "idat-crc", "extra-row", "garbage-after-stream"] {
            let (outcome, fast) = Self.rows(Fixtures.path("pngfast/\(name).png"), backend: .automatic)
            #expect(fast, "\(name)")
            #expect(!outcome.succeeded, "\(name)")
        }
        let (crc, _) = Self.rows(Fixtures.path("pngfast/idat-crc.png"), backend: .automatic)
        #expect(crc == .failed(.corrupt("IDAT: CRC error")))
        let bytes = try FileIO.readAll(path: Fixtures.path("pngfast/rgba-130x9-plain.png"))
        let folder = Fixtures.temporaryFolder()
        try FileIO.writeAtomically(Array(bytes.prefix(bytes.count - 40)), to: folder + "/cut.png")
        let (cut, cutFast) = Self.rows(folder + "/cut.png", backend: .automatic)
        #expect(cutFast)
        guard case .failed(.truncated) = cut else {
            Issue.record("a cut file: \(cut)")
            return
        }
        let (reference, _) = Self.rows(folder + "/cut.png", backend: .libpng)
        guard case .failed(.truncated) = reference else {
            Issue.record("libpng on a cut file: \(reference)")
            return
        }
    }

    /// Valid but awkward streams (1-byte IDATs with empty ones between, a 512-byte window) stay on
    /// the fast path and decode as libpng does.
    @Test func awkwardValidStreamsStayOnTheFastPath() {
        for name in ["split-1-byte-idats", "window-512"] {
            let path = Fixtures.path("pngfast/\(name).png")
            let fast = Self.rows(path, backend: .automatic)
            #expect(fast.fast && fast.outcome.succeeded, "\(name)")
            #expect(fast.outcome == Self.rows(path, backend: .libpng).outcome, "\(name)")
        }
    }

    /// Seeded mutations of 8-bit files of every colour type, plain and Adam7: the shared recipe
    /// (whose changes a CRC mostly catches), and changes inside the image data with every CRC
    /// made right again (so inflate, Adler-32 and the filters meet them), and changes after the
    /// image data. Whatever the fast path
    /// decodes, libpng decodes to the same rows; the tool's thumbnails or errors are libpng's.
    @Test(arguments: ["pngsuite/basn0g08.png", "pngsuite/ibasn4a08.png", "pngsuite/basn2c08.png", "pngsuite/ibasn6a08.png",
                      "pngsuite/ftbrn2c08.png", "pngsuite/ibasn3p08.png", "pngfast/pal-trns-33x17-adam7.png",
                      "pngfast/rgba-130x9-plain.png", "pngfast/gray-trns-33x17-plain.png", "jpeg/vgl_5674_0098.png"])
    func mutationsDecodeLikeLibpng(_ seed: String) throws {
        let original = try FileIO.readAll(path: Fixtures.path(seed))
        var random = SeededRandom(seed: StableHash.of("pngfast " + seed).value)
        let folder = Fixtures.temporaryFolder()
        var fastSuccesses = 0, fastFailures = 0
        for round in 0..<120 {
            var bytes = random.mutate(original)
            if round % 3 == 2 {
                // After the image data (libpng never reads there): both decode, with the same rows.
                bytes = original
                let after = Self.imageDataRange(bytes).upperBound
                bytes[after + Int(random.next() % UInt64(bytes.count - after))] ^= 0x10
            } else if round % 3 == 1 {
                bytes = original
                let data = Self.imageDataRange(bytes)
                for _ in 0...(random.next() % 3) {
                    let at = data.lowerBound + Int(random.next() % UInt64(max(1, data.count)))
                    bytes[at] ^= UInt8(1 << (random.next() % 8))
                }
                bytes = Self.withCRCsFixed(bytes)
            }
            let path = folder + "/case-\(round).png"
            try FileIO.writeAtomically(bytes, to: path)
            let reference = Self.rows(path, backend: .libpng)
            let fast = Self.rows(path, backend: .automatic)
            if fast.fast {
                if fast.outcome.succeeded {
                    fastSuccesses += 1
                    #expect(fast.outcome == reference.outcome, "\(seed) round \(round)")
                } else {
                    fastFailures += 1
                }
            }
            #expect(Self.render(path, backend: .automatic) == Self.render(path, backend: .libpng), "\(seed) round \(round)")
        }
        // Both kinds of outcome were met.
        #expect(fastSuccesses > 0 && fastFailures > 0, "\(fastSuccesses) decoded, \(fastFailures) refused")
    }

    /// A PNG's IDAT payload bytes (from the first IDAT's data to the last one's end).
    static func imageDataRange(_ bytes: [UInt8]) -> Range<Int> {
        var at = 8, first = -1, last = 8
        while at + 12 <= bytes.count {
            let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            if Array(bytes[(at + 4)..<(at + 8)]) == Array("IDAT".utf8) {
                if first < 0 { first = at + 8 }
                last = at + 8 + length
            }
            at += 12 + length
        }
        return first < 0 ? 8..<8 : first..<min(last, bytes.count)
    }

    /// The file with every complete chunk's CRC recomputed.
    static func withCRCsFixed(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        var at = 8
        while at + 12 <= bytes.count {
            let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard at + 12 + length <= bytes.count else { break }
            let crc = crc32(bytes[(at + 4)..<(at + 8 + length)])
            for i in 0..<4 { bytes[at + 8 + length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
            at += 12 + length
        }
        return bytes
    }

    /// PNG's (zlib's) CRC-32, bit by bit: small and plainly right.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
