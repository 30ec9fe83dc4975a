import Foundation
import Testing
@testable import ThumbnailKit
import ThumbnailTestSupport

/// `--placeholder`, `--fit cover`, `--crop attention`, `--max-bytes` and `--sharpen` through the
/// built binary, checked with decoders that share no code with the tool.
@Suite(.serialized) struct WebOutputTests {
    /// Ordinary photos among the fixtures (JPEG, landscape and portrait with EXIF rotation, and a
    /// low-contrast one, where a placeholder beats the flat colour only if its encoder is careful).
    static let photos = ["jpeg/testorig.jpg", "exif-orientation/Landscape_1.jpg", "exif-orientation/Portrait_6.jpg",
                         "pillow/flower.jpg", "pillow/flower2.jpg", "pillow/hopper.jpg", "web/wood.jpg"]

    struct PlaceholderCheck: Decodable {
        var output: String
        var color: String?
        var thumbhash: [Double]
        var blurhash: [Double]
        var lqip: [Double]
        var lqip_bytes: Int
    }

    @Test func placeholdersDecodeToPicturesLikeTheThumbnail() throws {
        let folder = try Tool.workspace(Self.photos)
        let run = try Tool.run(["images", "--out", "thumbs", "--size", "128x128", "--json", "-q",
                                "--placeholder", "thumbhash,blurhash,color,lqip", "--manifest", "thumbs/manifest.json"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdoutLines.count == Self.photos.count)
        // Blurhash from PyPI, a ThumbHash decoder written from the specification, Pillow for the LQIP.
        let check = try Tool.runProgram("/usr/bin/python3", [Tool.repo + "/Tests/Reference/placeholders.py"], in: folder,
                                        input: run.stdout)
        #expect(check.status == 0, "\(check.stderr)")
        let results = try check.stdoutLines.map { try JSONDecoder().decode(PlaceholderCheck.self, from: Data($0.utf8)) }
        #expect(results.count == Self.photos.count)
        for result in results {
            for (name, pair) in [("thumbhash", result.thumbhash), ("blurhash", result.blurhash), ("lqip", result.lqip)] {
                #expect(pair[0] > pair[1], "\(result.output) \(name): \(pair[0]) dB, flat colour \(pair[1]) dB")
                #expect(pair[0] >= 15, "\(result.output) \(name): \(pair[0]) dB")
            }
            #expect(result.lqip_bytes < 1024)
            #expect(result.color?.range(of: "^#[0-9a-f]{6}$", options: .regularExpression) != nil)
        }
        // The manifest carries the same strings, per source.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/thumbs/manifest.json")))
        let sources = try #require((manifest as? [String: Any])?["sources"] as? [[String: Any]])
        #expect(sources.count == Self.photos.count)
        let records = try run.stdoutLines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        for source in sources {
            let input = try #require(source["input"] as? String)
            let record = try #require(records.first { ($0["input"] as? String).map { "../" + $0 } == input })
            for key in ["thumbhash", "blurhash", "color", "lqip"] {
                #expect(source[key] as? String == record[key] as? String && record[key] as? String != nil, "\(input) \(key)")
            }
            let output = try #require((source["outputs"] as? [[String: Any]])?.first)
            #expect(output["format"] as? String == "jpeg" && output["mime_type"] as? String == "image/jpeg")
        }
        // An up-to-date source keeps its placeholders in the records and the manifest.
        let again = try Tool.run(["images", "--out", "thumbs", "--size", "128x128", "--json", "-q",
                                  "--placeholder", "thumbhash,blurhash,color,lqip"], in: folder)
        #expect(again.stdout.contains("\"skipped\"") && again.stdout.split(separator: "\n").allSatisfy { $0.contains("\"thumbhash\":\"") })
    }

    @Test func withoutPlaceholdersTheKeysAreNull() throws {
        let folder = try Tool.workspace(["jpeg/testorig.jpg"])
        let run = try Tool.run(["images", "--out", "thumbs", "--json"], in: folder)
        let record = try #require(JSONSerialization.jsonObject(with: Data(run.stdoutLines[0].utf8)) as? [String: Any])
        for key in ["thumbhash", "blurhash", "color", "lqip", "quality", "over_budget"] {
            #expect(record[key] is NSNull, "\(key)")
        }
    }

    @Test func coverFillsTheBoxExactlyOrTakesTheLargestSquareASmallSourceHolds() throws {
        let files = ["jpeg/testorig.jpg", "jpeg/testimgint.jpg", "pngsuite/basn6a08.png", "pngsuite/basn0g16.png",
                     "exif-orientation/Landscape_6.jpg", "exif-orientation/Portrait_5.jpg", "pillow/hopper.jpg"]
        let folder = try Tool.workspace(files)
        let run = try Tool.run(["images", "--out", "thumbs", "--fit", "cover", "--size", "64x64", "-q"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        for file in files {
            let name = (file as NSString).lastPathComponent
            let (sw, sh, _) = try Tool.size(of: folder + "/images/" + name)
            let (w, h, _) = try Tool.size(of: folder + "/thumbs/" + name)
            let side = min(64, sw, sh)
            #expect(w == side && h == side, "\(name): \(w)x\(h) from \(sw)x\(sh)")
        }
    }

    @Test func coverCentreMatchesPillowsImageOpsFit() throws {
        let folder = try Tool.workspace(["jpeg/testorig.jpg", "exif-orientation/Portrait_6.jpg"])
        let run = try Tool.run(["images", "--out", "thumbs", "--fit", "cover", "--size", "60x40", "--blur", "0",
                                "--format", "png", "-q"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let script = """
            import sys
            from PIL import Image, ImageOps
            import numpy as np
            src = ImageOps.exif_transpose(Image.open(sys.argv[1])).convert("RGB")
            ref = np.asarray(ImageOps.fit(src, (60, 40), Image.LANCZOS), dtype=float)
            out = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=float)
            print(10 * np.log10(255 ** 2 / np.mean((ref - out) ** 2)))
            """
        for name in ["testorig", "Portrait_6"] {
            let source = folder + "/images/" + name + ".jpg"
            let check = try Tool.runProgram("/usr/bin/python3", ["-c", script, source, folder + "/thumbs/" + name + ".png"], in: folder)
            let db = try #require(Double(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(check.stderr)")
            #expect(db >= 30, "\(name): \(db) dB against ImageOps.fit")
        }
    }

    /// A plain background with one high-contrast subject near the right edge: the centre crop
    /// misses it, attention keeps it.
    /// JPEG (its decoded frame held for the analysis) and PNG (decoded twice), and the JPEG stored
    /// turned (EXIF orientation 8: the subject ends up on the right only once it is upright).
    @Test(arguments: ["jpeg", "png", "rotated"])
    func attentionKeepsAnOffCentreSubject(kind: String) throws {
        let folder = try Tool.workspace(["web/offcentre-subject.jpg"])
        let source = folder + "/images/offcentre-subject.jpg"
        if kind != "jpeg" {
            // The same picture as a PNG, or stored turned 90 degrees clockwise with orientation 8.
            let script = kind == "png"
                ? "from PIL import Image; import sys, os; Image.open(sys.argv[1]).save(sys.argv[1][:-3] + 'png'); os.remove(sys.argv[1])"
                : "from PIL import Image; import sys; im = Image.open(sys.argv[1]); e = im.getexif(); e[0x0112] = 8; im.transpose(Image.Transpose.ROTATE_270).save(sys.argv[1], quality=90, exif=e)"
            let made = try Tool.runProgram("/usr/bin/python3", ["-c", script, source], in: folder)
            #expect(made.status == 0, "\(made.stderr)")
        }
        for crop in ["centre", "attention"] {
            let run = try Tool.run(["images", "--out", crop, "--fit", "cover", "--crop", crop, "--size", "64x64",
                                    "--format", "png", "-q"], in: folder)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let centre = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(folder + "/centre/offcentre-subject.png")
        let attention = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(folder + "/attention/offcentre-subject.png")
        #expect(centre.width == 64 && centre.height == 64 && attention.width == 64 && attention.height == 64)
        // Red of the subject's disc: strong red over weak green.
        func redPixels(_ image: PixelBuffer) -> Int {
            (0..<image.width * image.height).filter { i in
                Int(image.pixels[i * 3]) - Int(image.pixels[i * 3 + 1]) > 80
            }.count
        }
        #expect(redPixels(centre) == 0)
        #expect(redPixels(attention) > 100, "attention crop lost the subject")
    }

    @Test func maxBytesFitsEachJPEGOrSaysItIsOverBudget() throws {
        let folder = try Tool.workspace(Self.photos)
        let run = try Tool.run(["images", "--out", "thumbs", "--size", "200x200", "--max-bytes", "2k", "--json", "-q"], in: folder)
        let records = try run.stdoutLines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(records.count == Self.photos.count)
        var over = 0
        for record in records {
            let bytes = try #require(record["bytes"] as? Int)
            let quality = try #require(record["quality"] as? Int)
            let overBudget = try #require(record["over_budget"] as? Bool)
            let path = folder + "/" + (try #require(record["output"] as? String))
            #expect(try FileIO.readAll(path: path).count == bytes)
            if overBudget {
                over += 1
                #expect(quality == 1 && bytes > 2048)
            } else {
                #expect(bytes <= 2048 && (1...75).contains(quality))
            }
        }
        #expect(run.status == (over > 0 ? 1 : 0))
        // A budget no thumbnail can meet: written at quality 1, reported, exit 1.
        let tight = try Tool.run(["images/testorig.jpg", "--out", "tight", "--size", "200x200", "--max-bytes", "300", "--json"], in: folder)
        #expect(tight.status == 1)
        #expect(tight.stderr.contains("tight/testorig.jpg: ") && tight.stderr.contains("over the --max-bytes budget"))
        #expect(tight.stdout.contains("\"over_budget\":true") && tight.stdout.contains("\"quality\":1,"))
        #expect(FileManager.default.fileExists(atPath: folder + "/tight/testorig.jpg"))
        // PNG is not lossy: no search, no quality.
        let png = try Tool.run(["images/testorig.jpg", "--out", "png", "--format", "png", "--max-bytes", "100", "--json"], in: folder)
        #expect(png.status == 0 && png.stdout.contains("\"quality\":null"))
        let bad = try Tool.run(["images", "--max-bytes", "2q"], in: folder)
        #expect(bad.status == 64 && bad.stderr.contains("--max-bytes"))
    }

    @Test func sharpenRaisesEdgeContrastAndIsOffByDefault() throws {
        let folder = try Tool.workspace(["jpeg/testorig.jpg"])
        _ = try Tool.run(["images", "--out", "plain", "--size", "128x128", "--format", "png"], in: folder)
        _ = try Tool.run(["images", "--out", "sharp", "--size", "128x128", "--format", "png", "--sharpen"], in: folder)
        let plain = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(folder + "/plain/testorig.png")
        let sharp = try ThumbnailRenderer(spec: ThumbnailSpec()).decodeWhole(folder + "/sharp/testorig.png")
        func gradientEnergy(_ image: PixelBuffer) -> Double {
            var sum = 0.0
            for y in 0..<image.height {
                for x in 1..<image.width {
                    let d = Double(image[x, y, 1]) - Double(image[x - 1, y, 1])
                    sum += d * d
                }
            }
            return sum
        }
        #expect(gradientEnergy(sharp) > 1.05 * gradientEnergy(plain))
        // Mild: the same picture.
        #expect(sharp.psnr(to: plain) > 25)
    }
}
