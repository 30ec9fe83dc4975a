import Testing
@testable import ThumbnailKit

@Suite struct JPEGBitReaderTests {
    @Test func readsBitsMostSignificantFirstAndUnstuffsFF00() {
        let bytes: [UInt8] = [0xA5, 0xFF, 0x00, 0x3C]
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JPEGBitReader(buffer, at: 0)
            #expect(reader.bit() == 1)
            #expect(reader.bits(3) == 0b010)
            #expect(reader.bits(12) == 0x5FF)  // the stuffed 0x00 is not data
            #expect(reader.position == 3)
            #expect(reader.bits(8) == 0x3C)
            #expect(reader.bit() == nil)  // end of data
        }
    }

    @Test func stopsAtAMarkerAndAlignsToTheNextByte() {
        let bytes: [UInt8] = [0xF0, 0xFF, 0xD0, 0x12]
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JPEGBitReader(buffer, at: 0)
            #expect(reader.bits(2) == 0b11)
            reader.alignToByte()
            #expect(reader.position == 1)  // standing on the marker
            #expect(reader.bit() == nil)  // a marker is not data
            #expect(reader.position == 1)
        }
    }
}
