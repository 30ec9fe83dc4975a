import Testing
@testable import ThumbnailKit

extension MetadataTests {
    @Suite struct ICCProfileTests {
        static let signature: [UInt8] = Array("ICC_PROFILE".utf8) + [0]

        /// A synthetic profile: deterministic, no repeating period that could hide a misordered chunk.
        static func syntheticProfile(_ count: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: ($0 * 7919) ^ ($0 >> 8)) }
        }

        /// The ICC APP2 segments of `jpeg`, each whole (marker through payload), in file order.
        static func iccSegments(_ jpeg: [UInt8]) -> [[UInt8]] {
            JPEGMarkers.segments(jpeg)
                .filter { $0.marker == 0xE2 && jpeg[$0.payload].starts(with: signature) }
                .map { Array(jpeg[($0.payload.lowerBound - 4)..<$0.payload.upperBound]) }
        }

        /// `jpeg` with its ICC segments replaced by `segments`, placed where the first one was.
        static func replacingICCSegments(_ jpeg: [UInt8], with segments: [[UInt8]]) -> [UInt8] {
            let ranges = JPEGMarkers.segments(jpeg)
                .filter { $0.marker == 0xE2 && jpeg[$0.payload].starts(with: signature) }
                .map { ($0.payload.lowerBound - 4)..<$0.payload.upperBound }
            let start = ranges.first!.lowerBound, end = ranges.last!.upperBound  // contiguous, as embed writes them
            return Array(jpeg[..<start]) + segments.flatMap { $0 } + Array(jpeg[end...])
        }

        @Test func embedsAndExtractsLibjpegTurbosTestProfile() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            let profile = try FileIO.readAll(path: Fixtures.path("jpeg/test1.icc"))
            #expect(ICCProfile.extract(jpeg: original) == nil)
            let tagged = ICCProfile.embed(profile, inJPEG: original)
            #expect(ICCProfile.extract(jpeg: tagged) == profile)
            // test1.icc is 557536 bytes: nine chunks, eight full ones, numbered 1...9 of 9, each length
            // field counting itself, the signature and the two numbers.
            let segments = Self.iccSegments(tagged)
            try #require(profile.count == 557_536 && segments.count == 9)
            #expect(tagged.count == original.count + profile.count + 9 * 18)
            #expect(segments.map { Int($0[2]) << 8 | Int($0[3]) } == Array(repeating: 65535, count: 8) + [2 + 14 + 557_536 - 8 * 65519])
            #expect(segments.map { [$0[16], $0[17]] } == (1...9).map { [UInt8($0), 9] })
            // Contiguous: one block of segments.
            let block = segments.flatMap { $0 }

            // Placed right after SOI and testorig.jpg's JFIF APP0 (20 bytes in all), the rest untouched.
            #expect(Array(original[2..<4]) == [0xFF, 0xE0] && original[6..<11].elementsEqual("JFIF\0".utf8))
            let cut = 20
            #expect(Array(tagged[..<cut]) == Array(original[..<cut]))
            #expect(Array(tagged[cut..<(cut + block.count)]) == block)
            #expect(Array(tagged[(cut + block.count)...]) == Array(original[cut...]))

            // Still a valid JPEG with the same pixels.
            let decoder = try JPEGDecoder()
            let before = try decoder.decode(original, header: try decoder.readHeader(original), eighths: 8)
            let after = try decoder.decode(tagged, header: try decoder.readHeader(tagged), eighths: 8)
            #expect(after == before)
        }

        @Test func placesChunksRightAfterSOIWithoutJFIF() throws {
            // testorig.jpg without its JFIF APP0 (bytes 2..<20): still a JPEG decoders accept.
            let withJFIF = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            let original = Array(withJFIF[..<2]) + Array(withJFIF[20...])
            let profile = Self.syntheticProfile(1000)
            let tagged = ICCProfile.embed(profile, inJPEG: original)
            #expect(Array(tagged[2..<4]) == [0xFF, 0xE2])
            #expect(Array(tagged[(2 + 18 + 1000)...]) == Array(original[2...]))
            #expect(ICCProfile.extract(jpeg: tagged) == profile)
            let decoder = try JPEGDecoder()
            #expect(try decoder.decode(tagged, header: try decoder.readHeader(tagged), eighths: 8)
                == decoder.decode(withJFIF, header: try decoder.readHeader(withJFIF), eighths: 8))
        }

        @Test func keepsEXIF() throws {
            let original = try FileIO.readAll(path: Fixtures.path("exif-orientation/Landscape_6.jpg"))
            let profile = Self.syntheticProfile(1000)
            let tagged = ICCProfile.embed(profile, inJPEG: original)
            #expect(ICCProfile.extract(jpeg: original) == nil)
            #expect(ICCProfile.extract(jpeg: tagged) == profile)
            #expect(EXIFOrientation.read(jpeg: tagged) == 6)
        }

        @Test func splitsALargeProfileIntoNumberedChunks() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            let profile = Self.syntheticProfile(150_000)
            let tagged = ICCProfile.embed(profile, inJPEG: original)
            let segments = Self.iccSegments(tagged)
            try #require(segments.count == 3)
            let sizes = segments.map { Int($0[2]) << 8 | Int($0[3]) }
            #expect(sizes == [65535, 65535, 2 + 14 + 150_000 - 2 * 65519])
            #expect(segments.map { [$0[16], $0[17]] } == [[1, 3], [2, 3], [3, 3]])
            #expect(ICCProfile.extract(jpeg: tagged) == profile)

            // Chunks out of order reassemble by sequence number.
            let shuffled = Self.replacingICCSegments(tagged, with: [segments[2], segments[0], segments[1]])
            #expect(ICCProfile.extract(jpeg: shuffled) == profile)

            // A missing, repeated or misnumbered chunk gives no profile.
            #expect(ICCProfile.extract(jpeg: Self.replacingICCSegments(tagged, with: [segments[0], segments[2]])) == nil)
            #expect(ICCProfile.extract(jpeg: Self.replacingICCSegments(tagged, with: [segments[0], segments[1], segments[1]])) == nil)
            var wrongCount = segments[1]
            wrongCount[17] = 4
            #expect(ICCProfile.extract(jpeg: Self.replacingICCSegments(tagged, with: [segments[0], wrongCount, segments[2]])) == nil)
            var zeroCount = segments[0]
            zeroCount[16] = 0
            zeroCount[17] = 0
            #expect(ICCProfile.extract(jpeg: Self.replacingICCSegments(tagged, with: [zeroCount])) == nil)
            var sequenceZero = segments[0]
            sequenceZero[16] = 0
            #expect(ICCProfile.extract(jpeg: Self.replacingICCSegments(tagged, with: [sequenceZero, segments[1], segments[2]])) == nil)

            // Decodes as before.
            let decoder = try JPEGDecoder()
            #expect(try decoder.decode(tagged, header: try decoder.readHeader(tagged), eighths: 8)
                == decoder.decode(original, header: try decoder.readHeader(original), eighths: 8))
        }

        @Test func chunkBoundaries() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            for (size, chunks) in [(1, 1), (65519, 1), (65520, 2), (2 * 65519, 2), (2 * 65519 + 1, 3)] {
                let profile = Self.syntheticProfile(size)
                let tagged = ICCProfile.embed(profile, inJPEG: original)
                #expect(Self.iccSegments(tagged).count == chunks, "\(size)")
                #expect(ICCProfile.extract(jpeg: tagged) == profile, "\(size)")
            }
        }

        @Test func reembeddingReplacesTheOldProfile() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            let first = ICCProfile.embed(Self.syntheticProfile(150_000), inJPEG: original)
            let profile = try FileIO.readAll(path: Fixtures.path("jpeg/test3.icc"))
            let second = ICCProfile.embed(profile, inJPEG: first)
            #expect(ICCProfile.extract(jpeg: second) == profile)
            #expect(second == ICCProfile.embed(profile, inJPEG: original))
        }

        @Test func leavesUnusableInputsAlone() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            #expect(ICCProfile.embed([], inJPEG: original) == original)
            #expect(ICCProfile.embed([1, 2, 3], inJPEG: [0x89, 0x50, 0x4E, 0x47]) == [0x89, 0x50, 0x4E, 0x47])
            #expect(ICCProfile.embed([1, 2, 3], inJPEG: []) == [])
            // More than 255 chunks cannot be numbered.
            #expect(ICCProfile.embed([UInt8](repeating: 7, count: 255 * 65519 + 1), inJPEG: original) == original)
            #expect(ICCProfile.extract(jpeg: []) == nil)
            #expect(ICCProfile.extract(jpeg: Array(original.prefix(3))) == nil)
        }

        @Test func truncatedFilesNeverCrash() throws {
            let original = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            let tagged = ICCProfile.embed(Self.syntheticProfile(1000), inJPEG: original)
            let segment = Self.iccSegments(tagged)[0]
            let start = try #require(tagged.firstRange(of: segment)).lowerBound
            // Cut anywhere inside the ICC segment: the segment walk stops, no profile, no trap.
            for end in start..<(start + segment.count) {
                #expect(ICCProfile.extract(jpeg: Array(tagged[..<end])) == nil)
            }
        }
    }
}
