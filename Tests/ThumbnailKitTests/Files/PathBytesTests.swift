import Testing
@testable import ThumbnailKit

struct PathBytesTests {
    @Test(arguments: [
        Array("plain/ascii.jpg".utf8),
        Array("café/日本.jpg".utf8),
        [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x6A, 0x70, 0x67],  // Latin-1 café.jpg
        [0xFF, 0xFE, 0x80, 0xC0, 0xAF],  // never UTF-8; an overlong '/'
        [0xED, 0xA0, 0x80],  // a UTF-16 surrogate, which UTF-8 forbids
        [0xF4, 0x8F, 0xBE, 0x80, 0x41],  // valid UTF-8 of U+10FF80, inside the escape range
        [0xE2, 0x82],  // a sequence cut short
    ])
    func everyNameSurvivesTheRoundTrip(_ bytes: [UInt8]) {
        let text = PathBytes.decode(bytes)
        #expect(PathBytes.encode(text) == bytes)
        #expect(PathBytes.systemPath(text).map { UInt8(bitPattern: $0) } == bytes + [0])
    }

    @Test func validUTF8StaysPlainText() {
        #expect(PathBytes.decode(Array("café.jpg".utf8)) == "café.jpg")
        #expect(!PathBytes.decode([0xE9]).unicodeScalars.contains { $0 == "é" })
    }

    @Test func jsonWritesEscapedBytesAsLoneSurrogates() {
        let json = JSONText.encode(["input": PathBytes.decode([0x61, 0xE9, 0xFF])])
        #expect(String(decoding: json, as: UTF8.self) == #"{"input":"a\udce9\udcff"}"#)
    }
}
