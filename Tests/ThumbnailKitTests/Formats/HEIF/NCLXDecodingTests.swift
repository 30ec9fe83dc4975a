import Foundation
import Testing
@testable import ThumbnailKit

/// HEIF and AVIF colour signalled by `nclx`: the code points read by libheif and libavif, the
/// profile the source reports, an ICC profile winning, and YCbCr turned into RGB with the file's
/// matrix and range (held against avifdec and heif-convert, and against the photo encoded).
@Suite struct NCLXDecodingTests {
    static let folder = "nclx"
    static let avifenc = "/usr/bin/avifenc"

    static func source(_ path: String) throws -> any ImageSource {
        let entry = try #require(FormatTable.sniff(try FileIO.readPrefix(path: path, count: FormatTable.sniffLength)))
        return try entry.source.init(path: path, handles: CodecHandles(), fingerprinting: false)
    }

    static func fixture(_ name: String) -> String { Fixtures.path(folder + "/" + name) }

    static func bytes(_ name: String) throws -> [UInt8] { try FileIO.readAll(path: fixture(name)) }

    /// The photo every fixture was encoded from.
    static func photo() throws -> PixelBuffer {
        try PNGDecoder(path: fixture("ladybird.png"), maxDimension: 1 << 16).readImage()
    }

    @Test func libavifAndLibheifReadTheCodePoints() throws {
        let p3 = NCLXColour(primaries: 12, transfer: 13, matrix: 6, fullRange: true)
        let bt2020 = NCLXColour(primaries: 9, transfer: 13, matrix: 9, fullRange: false)
        #expect(try AVIFDecoder(data: Self.bytes("ladybird-p3.avif")).nclx == p3)
        #expect(try AVIFDecoder(data: Self.bytes("ladybird-bt2020.avif")).nclx == bt2020)
        #expect(try HEIFDecoder(data: Self.bytes("ladybird-p3.avif")).nclx == p3)
        #expect(try HEIFDecoder(data: Self.bytes("ladybird-p3-hevc.heic")).nclx == p3)
        #expect(try HEIFDecoder(data: Self.bytes("ladybird-bt2020-hevc.heic")).nclx == bt2020)
        // No colr box: libheif reports none.
        #expect(try HEIFDecoder(data: HEIFSourceTests.bytes("landscape.heic")).nclx == nil)
    }

    @Test func wideGamutSourcesReportTheProfileOfTheirCodePoints() throws {
        let p3 = try #require(NCLXColour(primaries: 12, transfer: 13, matrix: 6, fullRange: true).iccProfile)
        let bt2020 = try #require(NCLXColour(primaries: 9, transfer: 13, matrix: 9, fullRange: false).iccProfile)
        #expect(try Self.source(Self.fixture("ladybird-p3.avif")).header.iccProfile == p3)
        #expect(try Self.source(Self.fixture("ladybird-p3-hevc.heic")).header.iccProfile == p3)
        #expect(try Self.source(Self.fixture("ladybird-bt2020.avif")).header.iccProfile == bt2020)
        #expect(try Self.source(Self.fixture("ladybird-bt2020-hevc.heic")).header.iccProfile == bt2020)
        // 1/13/6 is sRGB: nothing to convert.
        #expect(try Self.source(Self.fixture("ladybird-srgb.avif")).header.iccProfile == nil)
    }

    @Test(.enabled(if: FileIO.status(avifenc) != nil)) func anICCProfileWinsOverNCLX() throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let icc = Fixtures.path("icc/display-p3.icc")
        // One colr box of each kind (avifenc writes both): the ICC profile is the one used.
        try HEIFReference.run(Self.avifenc, ["-s", "8", "--icc", icc, "--cicp", "9/13/9", Self.fixture("ladybird.png"), folder + "/both.avif"])
        let both = try Self.source(folder + "/both.avif").header
        #expect(both.iccProfile == (try FileIO.readAll(path: icc)))
        // With a crop, through libheif: the same.
        try HEIFReference.run(Self.avifenc, ["-s", "8", "--icc", icc, "--cicp", "9/13/9", "--crop", "0,0,160,100",
                                             Self.fixture("ladybird.png"), folder + "/both-clap.avif"])
        #expect(try Self.source(folder + "/both-clap.avif").header.iccProfile == (try FileIO.readAll(path: icc)))
    }

    /// AVIFs of every common matrix (BT.709, BT.601, BT.2020) in both ranges, made from the photo
    /// with sRGB primaries and curve: the pixels equal avifdec's (libavif path) and heif-convert's
    /// (libheif path, cropped files), and are the photo again up to coding loss. A matrix or range
    /// misread costs far more than that loss (a BT.2020 limited-range file read as BT.601 full
    /// range: 28 dB from the photo, against 38 dB read right).
    @Test(.enabled(if: FileIO.status(avifenc) != nil), arguments: ["1", "6", "9"])
    func yCbCrIsTurnedIntoRGBWithTheFilesMatrixAndRange(matrix: String) throws {
        let folder = Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let photo = try Self.photo()
        let cropped = PixelBuffer(width: 160, height: 100, channels: 3,
                                  pixels: (0..<100).flatMap { y in photo.pixels[(y * photo.width * 3)..<(y * photo.width * 3 + 480)] })
        for range in ["full", "limited"] {
            let plain = folder + "/\(matrix)-\(range).avif", clap = folder + "/\(matrix)-\(range)-clap.avif"
            let options = ["-s", "8", "--min", "4", "--max", "4", "-y", "444", "--cicp", "1/13/\(matrix)", "-r", range]
            try #require(try HEIFReference.run(Self.avifenc, options + [Self.fixture("ladybird.png"), plain]))
            try #require(try HEIFReference.run(Self.avifenc, options + ["--crop", "0,0,160,100", Self.fixture("ladybird.png"), clap]))
            let decoder = try AVIFDecoder(data: FileIO.readAll(path: plain))
            #expect(decoder.nclx == NCLXColour(primaries: 1, transfer: 13, matrix: Int(matrix)!, fullRange: range == "full"))
            let ours = try Self.source(plain).decodeWhole()
            #expect(try HEIFReference.avifdec(plain)?.pixels == ours.pixels, "\(matrix) \(range): like avifdec")
            #expect(psnr(ours, photo) >= 35, "\(matrix) \(range): \(psnr(ours, photo)) dB from the photo")
            let oursCropped = try Self.source(clap).decodeWhole()
            #expect(try HEIFReference.heifConvert(clap)?.first?.pixels == oursCropped.pixels, "\(matrix) \(range): like heif-convert")
            #expect(psnr(oursCropped, cropped) >= 35, "\(matrix) \(range) cropped: \(psnr(oursCropped, cropped)) dB")
        }
    }

    @Test func hevcFilesOfEachMatrixAndRangeDecodeLikeHeifConvert() throws {
        // heif-nclx.c's HEICs: BT.601 full range and BT.2020 limited range.
        let photo = try Self.photo()
        for name in ["ladybird-p3-hevc.heic", "ladybird-bt2020-hevc.heic"] {
            let ours = try Self.source(Self.fixture(name)).decodeWhole()
            #expect(try HEIFReference.heifConvert(Self.fixture(name))?.first?.pixels == ours.pixels, "\(name)")
            // The stored pixels are the photo's (only labelled in other primaries).
            #expect(psnr(ours, photo) >= 35, "\(name): \(psnr(ours, photo)) dB")
        }
    }
}
