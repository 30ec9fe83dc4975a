import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// `--format avif,webp,jpeg`: every box in every format from one decode, for `<picture>` fallbacks.
@Suite struct MultiFormatTests {
    @Test func severalFormatsFromOneDecodeEachListedWithItsMIMEType() throws {
        let root = try Tool.workspace(["exif-orientation/Landscape_1.jpg", "pngsuite/basn6a08.png"])
        let run = try Tool.run(["images", "--out", "t", "--format", "avif,webp,jpeg", "--size", "64x64,128x", "--json",
                                "--manifest", "m.json"], in: root)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.stdoutLines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.count == 12)
        let mime = ["avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"]
        let ext = ["avif": "avif", "webp": "webp", "jpeg": "jpg"]
        for record in records {
            let format = try #require(record["format"] as? String)
            #expect(record["mime_type"] as? String == mime[format])
            let output = try #require(record["output"] as? String)
            #expect(output.hasSuffix("." + ext[format]!))
            // Each decodes (through the tool's own decoders) at the size the record gives.
            let size = try Tool.size(of: root + "/" + output)
            #expect(size.0 == record["width"] as? Int && size.1 == record["height"] as? Int)
            #expect(FormatTable.sniff(try FileIO.readPrefix(path: root + "/" + output, count: 16))?.format.rawValue == format)
        }
        // The three formats of one box are the same picture.
        let jpeg = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/Landscape_1_64x64.jpg")
        let webp = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(root + "/t/Landscape_1_64x64.webp")
        #expect(jpeg.psnr(to: webp) > 25)
        let manifest = try String(contentsOfFile: root + "/m.json", encoding: .utf8)
        #expect(manifest.contains("\"mime_type\" : \"image/avif\"") && manifest.contains("Landscape_1_128x.webp"))
        // Several formats need {ext} in a --name of one's own.
        let clash = try Tool.run(["images", "--out", "u", "--format", "webp,jpeg", "--name", "{name}.x"], in: root)
        #expect(clash.status == 64 && clash.stderr.contains("{ext}"))
    }
}
