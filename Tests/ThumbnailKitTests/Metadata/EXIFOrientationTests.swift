import Testing
@testable import ThumbnailKit

/// Groups the metadata suites (EXIF orientation, oriented pixels, ICC profiles) so that
/// `swift test --filter Metadata` runs them all.
@Suite enum MetadataTests {}

extension MetadataTests {
    @Suite struct EXIFOrientationTests {
        /// A TIFF blob whose IFD0 holds `entries` (tag, type, count, 4 value bytes as written), in the
        /// given byte order, IFD0 right after the header.
        static func tiff(bigEndian: Bool, entries: [(tag: UInt16, type: UInt16, count: UInt32, value: [UInt8])]) -> [UInt8] {
            func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
            func u32(_ v: UInt32) -> [UInt8] {
                let high = u16(UInt16(v >> 16)), low = u16(UInt16(v & 0xFFFF))
                return bigEndian ? high + low : low + high
            }
            var bytes: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
            bytes += u16(42) + u32(8) + u16(UInt16(entries.count))
            for entry in entries { bytes += u16(entry.tag) + u16(entry.type) + u32(entry.count) + entry.value }
            return bytes + u32(0)  // no next IFD
        }

        /// A TIFF blob with one Orientation SHORT of `value` (left-justified in the value field).
        static func orientationTIFF(_ value: UInt16, bigEndian: Bool) -> [UInt8] {
            let short: [UInt8] = bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF), 0, 0] : [UInt8(value & 0xFF), UInt8(value >> 8), 0, 0]
            // A tag before it (ImageWidth, LONG), as cameras write, so the walk over entries is exercised.
            let width: [UInt8] = bigEndian ? [0, 0, 0x07, 0x08] : [0x08, 0x07, 0, 0]
            return tiff(bigEndian: bigEndian, entries: [(0x0100, 4, 1, width), (0x0112, 3, 1, short)])
        }

        /// A minimal marker stream: SOI, the given APPn segments, SOS. Enough for `JPEGMarkers`.
        static func jpeg(segments: [(marker: UInt8, payload: [UInt8])]) -> [UInt8] {
            var bytes: [UInt8] = [0xFF, 0xD8]
            for segment in segments {
                let length = segment.payload.count + 2
                bytes += [0xFF, segment.marker, UInt8(length >> 8), UInt8(length & 0xFF)] + segment.payload
            }
            return bytes + [0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9]
        }

        static let exifPrefix: [UInt8] = Array("Exif".utf8) + [0, 0]

        @Test(arguments: ["Landscape", "Portrait"])
        func readsTheCorpusOrientations(_ set: String) throws {
            for n in 0...8 {
                let data = try FileIO.readAll(path: Fixtures.path("exif-orientation/\(set)_\(n).jpg"))
                // _0 stores the tag with value 0, out of range: upright.
                #expect(EXIFOrientation.read(jpeg: data) == max(n, 1), "\(set)_\(n)")
            }
        }

        @Test func jpegWithoutEXIFIsUpright() throws {
            let data = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
            #expect(EXIFOrientation.read(jpeg: data) == 1)
            #expect(EXIFOrientation.read(jpeg: []) == 1)
            #expect(EXIFOrientation.read(jpeg: [0xFF, 0xD8]) == 1)
        }

        @Test(arguments: [false, true])
        func readsBothByteOrders(bigEndian: Bool) {
            for value in 1...8 {
                let blob = Self.orientationTIFF(UInt16(value), bigEndian: bigEndian)
                #expect(EXIFOrientation.read(exifPayload: blob) == value)
                #expect(EXIFOrientation.read(exifPayload: Self.exifPrefix + blob) == value)
                #expect(EXIFOrientation.read(jpeg: Self.jpeg(segments: [(0xE1, Self.exifPrefix + blob)])) == value)
            }
        }

        @Test func skipsNonEXIFAPP1AndUsesTheFirstEXIF() {
            let xmp = Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".utf8)
            let first = Self.exifPrefix + Self.orientationTIFF(6, bigEndian: true)
            let second = Self.exifPrefix + Self.orientationTIFF(3, bigEndian: false)
            #expect(EXIFOrientation.read(jpeg: Self.jpeg(segments: [(0xE0, Array("JFIF\0".utf8)), (0xE1, xmp), (0xE1, first), (0xE1, second)])) == 6)
            // An EXIF-looking APP2 is not EXIF.
            #expect(EXIFOrientation.read(jpeg: Self.jpeg(segments: [(0xE2, first)])) == 1)
        }

        @Test(arguments: [false, true])
        func malformedBlobsGiveUpright(bigEndian: Bool) {
            let good = Self.orientationTIFF(6, bigEndian: bigEndian)
            // Every truncation before the Orientation value's two bytes end, read raw or through a JPEG.
            for length in 0..<(8 + 2 + 12 + 8 + 2) {
                let cut = Array(good.prefix(length))
                #expect(EXIFOrientation.read(exifPayload: cut) == 1, "\(length) bytes")
                #expect(EXIFOrientation.read(jpeg: Self.jpeg(segments: [(0xE1, Self.exifPrefix + cut)])) == 1)
            }
            func patched(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
                var blob = good
                blob.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
                return blob
            }
            let cases: [(String, [UInt8])] = [
                ("byte order mark", patched(0, [0x49, 0x4D])),
                ("magic 43", patched(bigEndian ? 3 : 2, [43])),
                ("IFD offset past the end", patched(4, [0xFF, 0xFF, 0xFF, 0xFF])),
                ("IFD offset one short of the end", patched(4, bigEndian ? [0, 0, 0, UInt8(good.count - 1)] : [UInt8(good.count - 1), 0, 0, 0])),
                ("IFD offset at the end", patched(4, bigEndian ? [0, 0, 0, UInt8(good.count)] : [UInt8(good.count), 0, 0, 0])),
                ("65535 entries, cut after the first", Array(patched(8, [0xFF, 0xFF]).prefix(8 + 2 + 12))),
                ("orientation as LONG", patched(8 + 2 + 12 + 2, bigEndian ? [0, 4] : [4, 0])),
                ("orientation count 0", patched(8 + 2 + 12 + 4, [0, 0, 0, 0])),
                ("orientation 0", patched(8 + 2 + 12 + 8, [0, 0])),
                ("orientation 9", patched(8 + 2 + 12 + 8, bigEndian ? [0, 9] : [9, 0])),
                ("orientation 0x0600", patched(8 + 2 + 12 + 8, bigEndian ? [6, 0] : [0, 6])),
            ]
            for (name, blob) in cases {
                #expect(EXIFOrientation.read(exifPayload: blob) == 1, "\(name)")
                #expect(EXIFOrientation.read(jpeg: Self.jpeg(segments: [(0xE1, Self.exifPrefix + blob)])) == 1, "\(name)")
            }
        }

        @Test func entriesWithoutTheTagGiveUpright() {
            let blob = Self.tiff(bigEndian: false, entries: [(0x010F, 2, 4, Array("Foo\0".utf8))])
            #expect(EXIFOrientation.read(exifPayload: blob) == 1)
            #expect(EXIFOrientation.read(exifPayload: Self.tiff(bigEndian: true, entries: [])) == 1)
        }

        /// Random bytes behind a valid header and random offsets: never out of range, never a trap.
        @Test func randomBlobsNeverCrash() {
            var random = SplitMix64(seed: 0x7EA5E)
            for _ in 0..<2000 {
                let length = Int(random.next() % 64)
                var blob = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if length >= 4 && random.next() % 4 != 0 {
                    let big = random.next() % 2 == 0
                    blob.replaceSubrange(0..<4, with: big ? [0x4D, 0x4D, 0, 42] : [0x49, 0x49, 42, 0])
                }
                let value = EXIFOrientation.read(exifPayload: blob)
                #expect((1...8).contains(value))
            }
        }

        @Test func swapsAxesForFiveToEight() {
            #expect((0...9).filter(EXIFOrientation.swapsAxes) == [5, 6, 7, 8])
        }
    }
}
