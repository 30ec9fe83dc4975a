import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// The libdeflate PNG writer: what it writes must decode to exactly the pixels given, in libpng
/// (the tool's own decoder) and in Pillow, at levels 0 to 9; the bytes never vary; and an encoder
/// kept from one thumbnail to the next writes what a fresh one writes.
@Suite struct PNGEncoderTests {
    /// Real thumbnails (a photo fitted in 50, 256 and 512-pixel boxes) as gray, gray+alpha, RGB and
    /// RGBA (alpha a smooth ramp with a few holes), and small odd cases: 1x1, 3x7, noise, flat.
    static func images() throws -> [(name: String, image: PixelBuffer)] { try made.get() }

    /// Made once for every test (the photo's reduction is slow in a debug build).
    static let made = Result { () throws -> [(name: String, image: PixelBuffer)] in try makeImages() }

    static func makeImages() throws -> [(name: String, image: PixelBuffer)] {
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        let boxes = [50, 256, 512].map { BoxSize(width: $0, height: $0) }
        let photos = try renderer.thumbnails(of: Fixtures.path("exif-orientation/Landscape_0.jpg"), boxes: boxes)
        var images: [(String, PixelBuffer)] = []
        for photo in photos {
            for channels in 1...4 { images.append(("photo-\(photo.width)x\(photo.height)-\(channels)", recast(photo, channels: channels))) }
        }
        var random = SeededRandom(seed: 14)
        let noise = PixelBuffer(width: 37, height: 23, channels: 4, pixels: (0..<(37 * 23 * 4)).map { _ in UInt8.random(in: 0...255, using: &random) })
        images.append(("noise", noise))
        images.append(("flat", PixelBuffer(width: 300, height: 2, channels: 3, repeating: 200)))
        images.append(("1x1", PixelBuffer(width: 1, height: 1, channels: 2, pixels: [9, 130])))
        images.append(("3x7", recast(PixelBuffer(width: 3, height: 7, channels: 3, pixels: (0..<63).map { UInt8($0 * 4) }), channels: 4)))
        return images
    }

    /// `rgb` (3 channels) as `channels` channels: gray is the green sample; alpha a diagonal ramp
    /// with fully transparent holes, as a cut-out picture has.
    static func recast(_ rgb: PixelBuffer, channels: Int) -> PixelBuffer {
        var out = PixelBuffer(width: rgb.width, height: rgb.height, channels: channels)
        for y in 0..<rgb.height {
            for x in 0..<rgb.width {
                let alpha = (x * 7 + y * 3) % 50 == 0 ? 0 : UInt8((x + y) * 255 / max(rgb.width + rgb.height - 2, 1))
                switch channels {
                case 1: out[x, y, 0] = rgb[x, y, 1]
                case 2: out[x, y, 0] = rgb[x, y, 1]; out[x, y, 1] = alpha
                default:
                    for c in 0..<3 { out[x, y, c] = rgb[x, y, c] }
                    if channels == 4 { out[x, y, 3] = alpha }
                }
            }
        }
        return out
    }

    @Test func decodesExactlyInLibpngAndPillowAtSeveralLevels() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var written: [(path: String, image: PixelBuffer)] = []
        for (name, image) in try Self.images() {
            for level in [0, 1, 2, 4, 6, 9] {
                let path = folder + "/\(name)-\(level).png"
                let bytes = try PNGEncoder.encode(image, level: level)
                try FileIO.writeAtomically(bytes, to: path)
                let back = try PNGDecoder(path: path, maxDimension: 10_000).readImage()
                #expect(back == image, "libpng: \(name) at level \(level)")
                written.append((path, image))
            }
        }
        let pillow = try Self.pillowDecode(written.map(\.path), folder: folder)
        #expect(pillow.count == written.count)
        for ((path, image), decoded) in zip(written, pillow) {
            #expect(decoded.mode == ["L", "LA", "RGB", "RGBA"][image.channels - 1], "Pillow's mode of \(path)")
            #expect(decoded.pixels == image.pixels, "Pillow: \(path)")
        }
    }

    @Test func higherLevelsAreNotLargerOnPhotos() throws {
        // The levels mean something: on a real 256-pixel thumbnail, 9 writes no more than 6, 6 no
        // more than 1, and 1 (filtered and compressed) far less than 0 (stored).
        let photo = try Self.images().first { $0.name.hasPrefix("photo-256") && $0.name.hasSuffix("-4") }!.image
        let sizes = try [0, 1, 6, 9].map { try PNGEncoder.encode(photo, level: $0).count }
        #expect(sizes[3] <= sizes[2] && sizes[2] <= sizes[1] && sizes[1] * 3 / 2 < sizes[0], "\(sizes)")
    }

    @Test func aKeptEncoderWritesWhatAFreshOneWrites() throws {
        // One encoder over a sequence (big RGBA first, then smaller, odd-sized, other layouts), as
        // a worker's renderer uses it: no bytes of an earlier image reach a later one's file.
        let encoder = try PNGEncoder()
        var spec = ThumbnailSpec()
        let images = try Self.images().map(\.image)
        for level in [1, 6] {
            spec.pngLevel = level
            for image in images.sorted(by: { $0.pixels.count > $1.pixels.count }) + images {
                let kept = try encoder.encode(image, iccProfile: nil, spec: spec)
                #expect(kept == (try PNGEncoder.encode(image, level: level)))
            }
        }
    }

    @Test func sameInputSameBytes() throws {
        for (_, image) in try Self.images() {
            #expect(try PNGEncoder.encode(image, level: 6) == PNGEncoder.encode(image, level: 6))
        }
    }

    @Test func writesTheICCProfileAndTextChunks() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let profile = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("jpeg/test3.icc"))))
        let image = Self.recast(PixelBuffer(width: 5, height: 4, channels: 3, pixels: (0..<60).map { UInt8($0 * 3) }), channels: 3)
        let text = [(key: "Thumb::URI", value: "file:///a%20b.jpg"), (key: "Thumb::MTime", value: "1700000000")]
        let bytes = try PNGEncoder.encode(image, iccProfile: profile, text: text)
        try FileIO.writeAtomically(bytes, to: folder + "/icc.png")
        let decoder = try PNGDecoder(path: folder + "/icc.png", maxDimension: 100)
        #expect(decoder.iccProfile == profile)
        #expect(try decoder.readImage() == image)
        #expect(PNGTextChunks.read(bytes) == ["Thumb::URI": "file:///a%20b.jpg", "Thumb::MTime": "1700000000"])
        let pillow = try Self.pillowDecode([folder + "/icc.png"], folder: folder)
        #expect(pillow.first?.pixels == image.pixels)
        #expect(pillow.first?.icc == profile)
        #expect(pillow.first?.text == ["Thumb::URI": "file:///a%20b.jpg", "Thumb::MTime": "1700000000"])
    }

    @Test func refusesWhatPNGCannotHold() {
        #expect(throws: CodecError.self) { try PNGEncoder.encode(PixelBuffer(width: 0, height: 3, channels: 3), level: 6) }
        #expect(throws: CodecError.self) { try PNGEncoder.encode(PixelBuffer(width: 2, height: 2, channels: 3), level: 10) }
        #expect(throws: CodecError.self) {
            try PNGEncoder.encode(PixelBuffer(width: 2, height: 2, channels: 3), text: [(key: "", value: "no key")])
        }
    }

    struct PillowImage {
        var mode: String
        var pixels: [UInt8]
        var icc: [UInt8]?
        var text: [String: String]
    }

    /// Pillow's decode of each PNG at `paths` in its own mode (L, LA, RGB, RGBA; no conversion),
    /// with the ICC profile and text chunks it reads. Pillow checks every chunk's CRC.
    static func pillowDecode(_ paths: [String], folder: String) throws -> [PillowImage] {
        let script = """
        import json, sys
        from PIL import Image
        out = sys.argv[1]
        for i, path in enumerate(sys.argv[2:]):
            im = Image.open(path)
            im.load()
            open("%s/%d.raw" % (out, i), "wb").write(im.tobytes())
            icc = im.info.get("icc_profile")
            print(json.dumps({"mode": im.mode, "icc": icc.hex() if icc else None, "text": dict(im.text)}))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, folder] + paths
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { i, line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let icc = (object["icc"] as? String).map { hex in
                stride(from: 0, to: hex.count, by: 2).map { UInt8(hex.dropFirst($0).prefix(2), radix: 16)! }
            }
            return PillowImage(mode: object["mode"] as! String,
                               pixels: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/\(i).raw"))),
                               icc: icc, text: object["text"] as? [String: String] ?? [:])
        }
    }
}
