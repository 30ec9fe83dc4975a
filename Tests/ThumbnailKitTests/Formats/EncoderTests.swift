import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct EncoderTests {
    func gradient(channels: Int) -> PixelBuffer {
        var image = PixelBuffer(width: 64, height: 40, channels: channels)
        for y in 0..<40 {
            for x in 0..<64 {
                for c in 0..<channels { image[x, y, c] = UInt8(x * 2 + y * 2 + c * 10) }
            }
        }
        return image
    }

    @Test(arguments: [1, 2, 3, 4])
    func pngRoundTripsExactly(channels: Int) throws {
        let image = gradient(channels: channels)
        let bytes = try PNGEncoder.encode(image, level: 6)
        #expect(ImageFormat.sniff(bytes) == .png)
        let folder = Fixtures.temporaryFolder()
        try FileIO.writeAtomically(bytes, to: folder + "/x.png")
        let back = try PNGDecoder(path: folder + "/x.png", maxDimension: 1000).readImage()
        #expect(back == image)
    }

    @Test func pngIsDeterministic() throws {
        let image = gradient(channels: 3)
        #expect(try PNGEncoder.encode(image) == PNGEncoder.encode(image))
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripsClosely(channels: Int) throws {
        let image = gradient(channels: channels)
        let encoder = try JPEGEncoder()
        let bytes = try encoder.encode(image, quality: 95)
        #expect(ImageFormat.sniff(bytes) == .jpeg)
        let decoder = try JPEGDecoder()
        let back = try decoder.decode(bytes, header: try decoder.readHeader(bytes), eighths: 8)
        #expect(back.channels == channels)
        #expect(psnr(back, image) > 35)
        #expect(try encoder.encode(image, quality: 95) == bytes)
        let progressive = try encoder.encode(image, quality: 95, progressive: true)
        #expect(progressive != bytes)
        #expect(JPEGMarkers.segments(progressive).contains { $0.marker == 0xC2 })
    }

    @Test func atomicWritesLeaveNoTemporaryFiles() throws {
        let folder = Fixtures.temporaryFolder()
        try FileIO.writeAtomically([1, 2, 3], to: folder + "/a.bin")
        try FileIO.writeAtomically([4, 5], to: folder + "/a.bin")
        #expect(try FileIO.readAll(path: folder + "/a.bin") == [4, 5])
        #expect(throws: CodecError.self) { try FileIO.writeAtomically([1], to: folder + "/missing/a.bin") }
        let names = try FileManagerNames.list(folder)
        #expect(names == ["a.bin"])
    }
}

import Foundation
enum FileManagerNames {
    static func list(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }
}
