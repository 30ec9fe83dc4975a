import Foundation
import Testing
@testable import ThumbnailKit

@Suite struct BatchTests {
    func request(_ inputs: [String], _ out: String, format: ImageFormat? = nil, boxes: [BoxSize] = [BoxSize(width: 50, height: 50)]) -> BatchRequest {
        BatchRequest(inputs: inputs, outputFolder: out, boxes: boxes, format: format, renderingKey: "k")
    }

    @Test func outputNamesKeepTheSourceNameUnlessTheFormatChanges() {
        #expect(OutputNaming.outputPath(for: "images/a.JPG", in: "thumbs", format: nil) == "thumbs/a.JPG")
        #expect(OutputNaming.outputPath(for: "images/a.JPG", in: "thumbs/", format: .png) == "thumbs/a.png")
        #expect(OutputNaming.outputPath(for: "/x/y/a.b.jpeg", in: "/o", format: .jpeg) == "/o/a.b.jpg")
        #expect(OutputNaming.outputPath(for: "noext", in: "o", format: .png) == "o/noext.png")
    }

    @Test func templatesNameEachSize() {
        let box = BoxSize(width: 256, height: nil)
        #expect(OutputNaming.outputPath(relativePath: "a/b/x.jpeg", in: "o", template: "{name}_{size}.{ext}", box: box,
                                        format: nil, mirrorTree: true) == "o/a/b/x_256x.jpeg")
        #expect(OutputNaming.outputPath(relativePath: "a/b/x.jpeg", in: "o", template: "{name}-{width}w.{ext}", box: box,
                                        format: .png, mirrorTree: false) == "o/x-{width}w.png")
        #expect(OutputNaming.resolve("o/x-{width}w-{height}h.png", width: 256, height: 100) == "o/x-256w-100h.png")
    }

    @Test func shardsSplitEveryPathExactlyOnceWhateverElseExists() {
        let paths = (0..<500).map { "dir\($0 % 7)/photo-\($0).jpg" }
        let shards = (1...3).map { Shard(parsing: "\($0)/3")! }
        var counts = [0, 0, 0]
        for path in paths {
            let owners = shards.indices.filter { shards[$0].contains(relativePath: path) }
            #expect(owners.count == 1)
            counts[owners[0]] += 1
        }
        // A stable hash spreads them: no shard is empty or hogs the set.
        #expect(counts.allSatisfy { $0 > 100 }, "\(counts)")
        #expect(Shard(parsing: "0/3") == nil && Shard(parsing: "4/3") == nil && Shard(parsing: "1/0") == nil)
        // Stable across runs and machines: a fixed value of the hash.
        #expect(StableHash.of("a/b.jpg").hex == StableHash.of("a/b.jpg").hex)
        #expect(StableHash.of("a").hex != StableHash.of("b").hex)
    }

    @Test func fingerprintsOfFilesAndBytesAgree() throws {
        let path = Fixtures.path("jpeg/testorig.jpg")
        let bytes = try FileIO.readAll(path: path)
        #expect(try FileIO.fingerprint(path: path) == FileIO.fingerprint(bytes: bytes))
        var changed = bytes
        changed[changed.count / 2] ^= 1
        #expect(FileIO.fingerprint(bytes: changed) != FileIO.fingerprint(bytes: bytes))
    }

    /// A PNG fingerprinted from the bytes libpng reads equals the file's fingerprint, for plain
    /// and interlaced files; so does a stream fed in pieces of every awkward size.
    @Test func streamedFingerprintsEqualTheFiles() throws {
        for file in ["pngsuite/basn6a16.png", "pngsuite/ibasn2c08.png", "testpngs/gray-1.png", "jpeg/vgl_5674_0098.png"] {
            let path = Fixtures.path(file)
            let decoder = try PNGDecoder(path: path, maxDimension: 1 << 20, deinterlace: false, fingerprinting: true)
            if decoder.interlaced {
                try decoder.readPassRows { _, _ in }
            } else {
                try decoder.readRows { _ in }
            }
            #expect(try decoder.fingerprint() == FileIO.fingerprint(path: path), "\(file)")
        }
        let bytes = try FileIO.readAll(path: Fixtures.path("jpeg/testorig.jpg"))
        for piece in [1, 3, 7, 8, 9, 4096] {
            var fingerprint = Fingerprint()
            bytes.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    let end = min(at + piece, raw.count)
                    fingerprint.add(UnsafeRawBufferPointer(rebasing: raw[at..<end]))
                    at = end
                }
            }
            #expect(fingerprint.hex == FileIO.fingerprint(bytes: bytes), "pieces of \(piece)")
        }
    }

    @Test func cgroupQuotaIsRoundedUp() {
        #expect(UsableCores.parseCPUMax("max 100000\n") == nil)
        #expect(UsableCores.parseCPUMax("150000 100000\n") == 2)
        #expect(UsableCores.parseCPUMax("50000 100000") == 1)
        #expect(UsableCores.parseCPUMax("400000 100000") == 4)
        #expect(UsableCores.count() >= 1)
    }

    /// Names from common cameras and tools: FNV-1a alone put every one of them in one shard.
    @Test(arguments: [
        { (i: Int) in "IMG_\(String(repeating: "0", count: 4 - String(i).count))\(i).JPG" },
        { (i: Int) in "DSC0\(1000 + i).JPG" },
        { (i: Int) in "2021/\(i % 12 + 1)/DSC_\(String(repeating: "0", count: 4 - String(i).count))\(i).jpg" },
        { (i: Int) in String(UInt64(i) &* 0x9E37_79B9_7F4A_7C15, radix: 16) + ".png" },
        { (i: Int) in "photo-\(i).jpg" },
    ] as [@Sendable (Int) -> String])
    func shardsSplitCommonNamingSchemesEvenly(_ naming: @Sendable (Int) -> String) {
        let names = (1...1000).map(naming)
        for count in 2...8 {
            var sizes = [Int](repeating: 0, count: count)
            for name in names { sizes[Shard.shardIndex(of: name, count: count)] += 1 }
            let fair = 1000.0 / Double(count)
            #expect(sizes.allSatisfy { abs(Double($0) - fair) <= 0.2 * fair }, "N=\(count): \(sizes) for \(names[0])")
        }
    }

    @Test func foldersGiveTheirImagesByContentSkippingHiddenFiles() throws {
        let folder = Fixtures.temporaryFolder()
        let fm = FileManager.default
        try fm.copyItem(atPath: Fixtures.path("jpeg/testorig.jpg"), toPath: folder + "/photo.dat")
        try fm.copyItem(atPath: Fixtures.path("pngsuite/basn0g08.png"), toPath: folder + "/b.png")
        try fm.copyItem(atPath: Fixtures.path("pngsuite/basn0g08.png"), toPath: folder + "/.hidden.png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/notes.jpg"))
        try fm.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        let walk = InputWalker.walk([folder, folder + "/missing.png"])
        #expect(walk.files.map { OutputNaming.fileName(of: $0.path) } == ["b.png", "photo.dat"])
        // notes.jpg is named as an image but is not one: it fails by name, as does a missing input.
        #expect(walk.problems.map(\.path) == [folder + "/notes.jpg", folder + "/missing.png"])
        #expect(walk.otherFilesSkipped == 1, "the hidden file")
    }

    @Test func twoSourcesWithOneOutputNameAreRefused() throws {
        let root = Fixtures.temporaryFolder()
        let fm = FileManager.default
        for sub in ["a", "b"] {
            try fm.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: false)
            try fm.copyItem(atPath: Fixtures.path("jpeg/testorig.jpg"), toPath: "\(root)/\(sub)/x.jpg")
        }
        #expect {
            _ = try BatchPlanner.plan(request([root + "/a", root + "/b"], root + "/out"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("/a/x.jpg") && text.contains("/b/x.jpg")
        }
        // Writing into the source folder under the same names would overwrite the sources.
        #expect(throws: BatchRefusal.self) {
            _ = try BatchPlanner.plan(request([root + "/a"], root + "/a"))
        }
        // With another format the names differ: allowed.
        let batch = try BatchPlanner.plan(request([root + "/a"], root + "/a", format: .png))
        #expect(batch.jobs.map { $0.job.outputs[0].path } == [root + "/a/x.png"])
    }

    @Test func jobsAreOrderedLargestFirst() throws {
        let root = Fixtures.temporaryFolder()
        let fm = FileManager.default
        for name in ["basn0g01.png", "basn6a16.png", "basn2c08.png"] {
            try fm.copyItem(atPath: Fixtures.path("pngsuite/" + name), toPath: "\(root)/\(name)")
        }
        let batch = try BatchPlanner.plan(request([root], root + "/out"))
        let sizes = try batch.jobs.map { try fm.attributesOfItem(atPath: $0.job.input)[.size] as! Int }
        #expect(sizes == sizes.sorted(by: >))
        #expect(batch.jobs.count == 3)
    }
}
