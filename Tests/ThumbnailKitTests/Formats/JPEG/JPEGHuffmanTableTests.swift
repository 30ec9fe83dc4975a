import Testing
@testable import ThumbnailKit

@Suite struct JPEGHuffmanTableTests {
    /// The standard luminance DC table of the JPEG specification (K.3): codes 00, 010, 011, 100,
    /// 101, 110, 1110, 11110, 111110, ... for sizes 0...11.
    static let luminanceDC = JPEGHuffmanTable(
        counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: Array(0...11), isDC: true)

    static func decodeAll(_ table: JPEGHuffmanTable, _ bytes: [UInt8], count: Int) -> [UInt8?] {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JPEGBitReader(buffer, at: 0)
            return (0..<count).map { _ in table.decode(&reader) }
        }
    }

    @Test func decodesCanonicalCodes() throws {
        let table = try #require(Self.luminanceDC)
        // 00 | 010 | 1110 | 111110 (then padding): symbols 0, 1, 6, 8.
        // Bits: 0001 0111 0111 1100 -> 0x17 0x7C
        #expect(Self.decodeAll(table, [0x17, 0x7C], count: 4) == [0, 1, 6, 8])
    }

    @Test func refusesTablesLibjpegRefuses() {
        // Two codes of length 1 leave no room: the second is all ones.
        #expect(JPEGHuffmanTable(counts: [2] + [UInt8](repeating: 0, count: 15), symbols: [0, 1], isDC: true) == nil)
        // A DC table may not name a size above 15.
        #expect(JPEGHuffmanTable(counts: [1] + [UInt8](repeating: 0, count: 15), symbols: [16], isDC: true) == nil)
        #expect(JPEGHuffmanTable(counts: [1] + [UInt8](repeating: 0, count: 15), symbols: [16], isDC: false) != nil)
        // Counts and symbols must agree.
        #expect(JPEGHuffmanTable(counts: [1] + [UInt8](repeating: 0, count: 15), symbols: [], isDC: false) == nil)
    }

    @Test func anUnassignedCodeIsAnError() throws {
        // Only code 0 (length 1) exists: a run of sixteen 1 bits matches nothing.
        let table = try #require(JPEGHuffmanTable(counts: [1] + [UInt8](repeating: 0, count: 15), symbols: [7], isDC: false))
        #expect(Self.decodeAll(table, [0x7F, 0xFF, 0xFF], count: 2) == [7, nil])
    }
}
