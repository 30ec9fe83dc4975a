import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// The format table and the seam: every row's encoder, sniffer and source agree with each other.
@Suite struct FormatTableTests {
    func gradient(channels: Int) -> PixelBuffer {
        var image = PixelBuffer(width: 48, height: 30, channels: channels)
        for y in 0..<30 {
            for x in 0..<48 {
                for c in 0..<channels { image[x, y, c] = UInt8(x * 2 + y * 2 + c * 40) }
            }
        }
        return image
    }

    @Test func everyWrittenFormatIsSniffedAndReadBackThroughItsOwnSource() throws {
        let folder = Fixtures.temporaryFolder()
        var spec = ThumbnailSpec()
        spec.quality = 95
        for entry in FormatTable.writable {
            let encoder = try #require(entry.encoder).init()
            let bytes = try encoder.encode(gradient(channels: 3), iccProfile: nil, spec: spec)
            #expect(FormatTable.sniff(Array(bytes.prefix(FormatTable.sniffLength)))?.format == entry.format, "\(entry.name)")
            let path = folder + "/x." + entry.fileExtension
            try FileIO.writeAtomically(bytes, to: path)
            #expect(ImageFormat.sniff(path: path) == entry.format)
            let source = try entry.source.init(path: path, handles: CodecHandles(), fingerprinting: true)
            #expect(source.header.width == 48 && source.header.height == 30, "\(entry.name)")
            let whole = try source.decodeWhole()
            #expect(whole.width == 48 && whole.height == 30 && whole.channels == 3)
            #expect(psnr(whole, gradient(channels: 3)) > 35, "\(entry.name)")
        }
    }

    @Test func namesExtensionsAndOptionValuesComeFromTheRows() throws {
        #expect(ImageFormat.allCases == FormatTable.entries.map(\.format))
        #expect(ImageFormat(rawValue: "jpeg") == .jpeg && ImageFormat(rawValue: "png") == .png)
        #expect(ImageFormat(rawValue: "bmp") == nil && ImageFormat(rawValue: "JPEG") == nil)
        #expect(FormatTable.writableFormat(named: "JPG") == .jpeg && FormatTable.writableFormat(named: "Png") == .png)
        #expect(FormatTable.writableFormat(named: "bmp") == nil)
        #expect(ImageFormat.jpeg.fileExtension == "jpg" && ImageFormat.png.mimeType == "image/png")
        #expect(ImageFormat.isImageName("a.JPEG") && ImageFormat.isImageName("b.png") && !ImageFormat.isImageName("c.txt"))
        #expect(!ImageFormat.isImageName(".png") && !ImageFormat.isImageName("png"))
        // No extension or option value names two formats.
        let extensions = FormatTable.entries.flatMap(\.nameExtensions)
        #expect(Set(extensions).count == extensions.count)
        let options = FormatTable.entries.flatMap(\.optionNames)
        #expect(Set(options).count == options.count)
        for entry in FormatTable.entries {
            #expect(FormatTable.readableNames().contains(entry.name))
            #expect(entry.mimeType.hasPrefix("image/"))
            #expect(entry.source.signatureLength <= FormatTable.sniffLength)
        }
        for entry in FormatTable.writable { #expect(FormatTable.formatOptionHelp.contains(entry.format.rawValue)) }
        #expect(CodecError.notAnImage.description == "not a \(FormatTable.readableNames()) image")
        #expect(FormatTable.spoken(["A", "B", "C"], joinedBy: "or") == "A, B or C")
        #expect(FormatTable.spoken(["A", "B"], joinedBy: "and") == "A and B")
    }

    @Test func formatsTravelAsTheirNamesAndUnknownNamesAreRefused() throws {
        let encoded = try JSONEncoder().encode([ImageFormat.jpeg, .png])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["jpeg","png"]"#)
        #expect(try JSONDecoder().decode([ImageFormat].self, from: encoded) == [.jpeg, .png])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ImageFormat].self, from: Data(#"["tga"]"#.utf8)) }
    }

    @Test func sourcesReportTheirHeaders() throws {
        let handles = CodecHandles()
        let portrait = try JPEGSource(path: Fixtures.path("exif-orientation/Portrait_6.jpg"), handles: handles, fingerprinting: false)
        #expect(portrait.header.orientation == 6 && portrait.header.channels == 3 && !portrait.header.hasAlpha)
        #expect(portrait.header.frameCount == 1 && portrait.shrinkOnLoad == .dctEighths)
        let gray = try PNGSource(path: Fixtures.path("pngsuite/basn4a08.png"), handles: handles, fingerprinting: false)
        #expect(gray.header.channels == 2 && gray.header.hasAlpha && gray.header.orientation == 1)
        #expect(gray.shrinkOnLoad == .wholeBox)
        // The sources share the one TurboJPEG handle.
        let again = try handles.handle(JPEGDecoder.self) { () throws(CodecError) in try JPEGDecoder() }
        #expect(try handles.handle(JPEGDecoder.self) { () throws(CodecError) in try JPEGDecoder() } === again)
    }

    @Test func aFingerprintIsOfTheWholeFileWhateverTheFormat() throws {
        for fixture in ["jpeg/testorig.jpg", "pngsuite/basn2c08.png", "pngsuite/ibasn2c08.png"] {
            let path = Fixtures.path(fixture)
            let entry = try #require(FormatTable.sniff(try FileIO.readPrefix(path: path, count: FormatTable.sniffLength)))
            let source = try entry.source.init(path: path, handles: CodecHandles(), fingerprinting: true)
            let plan = ShrinkPlan.make(sourceWidth: source.header.width, sourceHeight: source.header.height,
                                       box: BoxSize(width: 16, height: 16), blurSigma: 0, shrinkOnLoad: source.shrinkOnLoad)
            #expect(try source.reduce(into: [plan]).count == 1)
            #expect(try source.fingerprint() == FileIO.fingerprint(bytes: try FileIO.readAll(path: path)), "\(fixture)")
        }
    }
}
