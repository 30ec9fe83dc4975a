import Testing
import CTurboJPEG
@testable import ThumbnailKit
import ThumbnailTestSupport

@Suite struct JPEGDecoderTests {
    /// Baseline (SOF0), arithmetic-coded (SOF9) and progressive (SOF2) codings of one picture.
    static let variants = [("jpeg/testorig.jpg", UInt8(0xC0)), ("jpeg/testimgint.jpg", 0xC0), ("jpeg/testimgari.jpg", 0xC9),
                           ("jpeg/testprog.jpg", 0xC2)]

    @Test(arguments: variants)
    func decodesBaselineProgressiveAndArithmeticAtEveryScale(_ file: String, frame: UInt8) throws {
        let data = try FileIO.readAll(path: Fixtures.path(file))
        #expect(data.indices.dropLast().contains { data[$0] == 0xFF && data[$0 + 1] == frame }, "\(file) is not SOF \(frame)")
        let decoder = try JPEGDecoder()
        let header = try decoder.readHeader(data)
        #expect(header.width == 227 && header.height == 149)
        let reference = try decoder.decode(try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg")), header: header, eighths: 8)
        for eighths in [1, 2, 4, 8] {
            let image = try decoder.decode(data, header: header, eighths: eighths)
            #expect(image.width == ShrinkPlan.scaled(227, eighths) && image.height == ShrinkPlan.scaled(149, eighths))
            #expect(image.channels == 3)
            if eighths == 8 {
                // The same picture, coded three ways: decodes agree closely.
                #expect(psnr(image, reference) > 30, "\(file)")
            }
        }
    }

    /// 4:4:4, 4:2:2 and 4:2:0 chroma, and restart markers, at every DCT scale.
    @Test(arguments: [("jpeg/test444.jpg", TJSAMP_444), ("jpeg/test422.jpg", TJSAMP_422), ("jpeg/testrst.jpg", TJSAMP_420)])
    func decodesEverySubsamplingAndRestartMarkers(_ file: String, subsampling: TJSAMP) throws {
        let data = try FileIO.readAll(path: Fixtures.path(file))
        let decoder = try JPEGDecoder()
        let header = try decoder.readHeader(data)
        #expect(header.subsampling == Int32(subsampling.rawValue))
        if file.hasSuffix("rst.jpg") {
            #expect(data.indices.dropLast().filter { data[$0] == 0xFF && (0xD0...0xD7).contains(data[$0 + 1]) }.count >= 8)
        }
        let reference = try decoder.decode(try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg")),
                                           header: try decoder.readHeader(FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))),
                                           eighths: 8)
        for eighths in [1, 2, 4, 8] {
            let image = try decoder.decode(data, header: header, eighths: eighths)
            #expect(image.width == ShrinkPlan.scaled(227, eighths) && image.height == ShrinkPlan.scaled(149, eighths))
            if eighths == 8 { #expect(psnr(image, reference) > 30, "\(file)") }
        }
    }

    @Test func refusesTwelveBitJPEGsWithAClearReason() throws {
        let data = try FileIO.readAll(path: Fixtures.path("jpeg/monkey12.jpg"))
        let decoder = try JPEGDecoder()
        #expect {
            let header = try decoder.readHeader(data)
            _ = try decoder.decode(data, header: header, eighths: 8)
        } throws: { error in
            "\(error)".contains("precision") || "\(error)".contains("12")
        }
    }

    @Test func aDecoderStillWorksAfterAFailure() throws {
        let decoder = try JPEGDecoder()
        let bad = try FileIO.readAll(path: Fixtures.path("jpeg/monkey12.jpg"))
        let good = try FileIO.readAll(path: Fixtures.path("jpeg/testimgint.jpg"))
        #expect(throws: CodecError.self) { _ = try decoder.readHeader(bad) }
        let header = try decoder.readHeader(good)
        #expect(try decoder.decode(good, header: header, eighths: 2).width == 57)
        #expect(throws: CodecError.self) { _ = try decoder.decode(Array(good.prefix(900)), header: header, eighths: 8) }
        #expect(try decoder.decode(good, header: decoder.readHeader(good), eighths: 8).width == 227)
    }

    /// Pillow's exif_gps.jpg with one byte of its first DQT segment deleted: that segment now
    /// swallows the start of the second, so table 1 is never defined (djpeg: "Quantization table
    /// 0x01 was not defined", after a warning about stray bytes). It must fail however it is met:
    /// alone, and after a good file whose tables libjpeg would otherwise lend it (it rendered black
    /// then, and "ok").
    @Test func aFileMissingATableFailsAloneAndAfterAnotherFile() throws {
        var damaged = try FileIO.readAll(path: Fixtures.path("pillow/exif_gps.jpg"))
        damaged.remove(at: 546)
        let good = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
        for warmUp in [false, true] {
            let decoder = try JPEGDecoder()
            if warmUp { _ = try decoder.decode(good, header: decoder.readHeader(good), eighths: 8) }
            #expect(throws: CodecError.self, "after another file: \(warmUp)") {
                _ = try decoder.decode(damaged, header: decoder.readHeader(damaged), eighths: 8)
            }
        }
    }

    /// A progressive file's thumbnail does not depend on the file the worker decoded before: a
    /// damaged one's warning once sent the next file (decoded by the DC-scan fast path) through
    /// the full-size decode meant for damaged data.
    @Test func aProgressiveFileAfterADamagedOneGivesTheSamePixels() throws {
        var damaged = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
        damaged.insert(0x00, at: (0..<damaged.count - 1).first { damaged[$0] == 0xFF && damaged[$0 + 1] == 0xDB }!)
        let folder = Fixtures.temporaryFolder()
        try FileIO.writeAtomically(damaged, to: folder + "/damaged.jpg")
        let boxes = [BoxSize(width: 8, height: 8)]  // small enough for the 1/8 scale
        let alone = try ThumbnailRenderer(spec: ThumbnailSpec()).thumbnails(of: Fixtures.path("jpeg/testprog.jpg"), boxes: boxes)
        let renderer = ThumbnailRenderer(spec: ThumbnailSpec())
        _ = try renderer.thumbnails(of: folder + "/damaged.jpg", boxes: boxes)
        let after = try renderer.thumbnails(of: Fixtures.path("jpeg/testprog.jpg"), boxes: boxes)
        #expect(after == alone)
    }

    /// A warning followed by a fatal error is reported by TurboJPEG 2.1 with the warning's code:
    /// the message decides, and only libjpeg's warning texts count as warnings.
    @Test func onlyLibjpegsWarningTextsAreWarnings() {
        #expect(JPEGDecoder.warningMessages.contains { "Corrupt JPEG data: 1 extraneous bytes before marker 0xdb".hasPrefix($0) })
        #expect(!JPEGDecoder.warningMessages.contains { "Quantization table 0x01 was not defined".hasPrefix($0) })
    }

    @Test func truncatedDataFails() throws {
        let data = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
        let cut = Array(data.prefix(data.count / 2))
        let decoder = try JPEGDecoder()
        let header = try decoder.readHeader(cut)
        #expect(throws: CodecError.self) { _ = try decoder.decode(cut, header: header, eighths: 8) }
    }

    @Test func sniffsByContentNotName() throws {
        #expect(ImageFormat.sniff(path: Fixtures.path("jpeg/testorig.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(path: Fixtures.path("pngsuite/basn0g01.png")) == .png)
        #expect(ImageFormat.sniff(path: Fixtures.path("pngsuite/README")) == nil)
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == nil)
    }
}
