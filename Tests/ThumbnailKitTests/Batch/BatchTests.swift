import Foundation
import Testing
@testable import ThumbnailKit

@Suite struct BatchTests {
    @Test func outputNamesKeepTheSourceNameUnlessTheFormatChanges() {
        #expect(OutputNaming.outputPath(for: "images/a.JPG", in: "thumbs", format: nil) == "thumbs/a.JPG")
        #expect(OutputNaming.outputPath(for: "images/a.JPG", in: "thumbs/", format: .png) == "thumbs/a.png")
        #expect(OutputNaming.outputPath(for: "/x/y/a.b.jpeg", in: "/o", format: .jpeg) == "/o/a.b.jpg")
        #expect(OutputNaming.outputPath(for: "noext", in: "o", format: .png) == "o/noext.png")
    }

    @Test func cgroupQuotaIsRoundedUp() {
        #expect(UsableCores.parseCPUMax("max 100000\n") == nil)
        #expect(UsableCores.parseCPUMax("150000 100000\n") == 2)
        #expect(UsableCores.parseCPUMax("50000 100000") == 1)
        #expect(UsableCores.parseCPUMax("400000 100000") == 4)
        #expect(UsableCores.count() >= 1)
    }

    @Test func foldersGiveTheirImagesByContentSkippingHiddenFiles() throws {
        let folder = Fixtures.temporaryFolder()
        let fm = FileManager.default
        try fm.copyItem(atPath: Fixtures.path("jpeg/testorig.jpg"), toPath: folder + "/photo.dat")
        try fm.copyItem(atPath: Fixtures.path("pngsuite/basn0g08.png"), toPath: folder + "/b.png")
        try fm.copyItem(atPath: Fixtures.path("pngsuite/basn0g08.png"), toPath: folder + "/.hidden.png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: folder + "/notes.jpg"))
        try fm.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        let (files, problems) = InputWalker.walk([folder, folder + "/missing.png"])
        #expect(files.map { OutputNaming.fileName(of: $0.path) } == ["b.png", "photo.dat"])
        #expect(problems.map(\.path) == [folder + "/missing.png"])
    }

    @Test func twoSourcesWithOneOutputNameAreRefused() throws {
        let root = Fixtures.temporaryFolder()
        let fm = FileManager.default
        for sub in ["a", "b"] {
            try fm.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: false)
            try fm.copyItem(atPath: Fixtures.path("jpeg/testorig.jpg"), toPath: "\(root)/\(sub)/x.jpg")
        }
        #expect {
            _ = try BatchPlanner.plan(inputs: [root + "/a", root + "/b"], outputFolder: root + "/out",
                                      box: BoxSize(width: 50, height: 50), format: nil)
        } throws: { error in
            let text = "\(error)"
            return text.contains("/a/x.jpg") && text.contains("/b/x.jpg")
        }
        // Writing into the source folder under the same names would overwrite the sources.
        #expect(throws: BatchRefusal.self) {
            _ = try BatchPlanner.plan(inputs: [root + "/a"], outputFolder: root + "/a",
                                      box: BoxSize(width: 50, height: 50), format: nil)
        }
        // With another format the names differ: allowed.
        let batch = try BatchPlanner.plan(inputs: [root + "/a"], outputFolder: root + "/a",
                                          box: BoxSize(width: 50, height: 50), format: .png)
        #expect(batch.jobs.map { $0.outputs[0].path } == [root + "/a/x.png"])
    }

    @Test func jobsAreOrderedLargestFirst() throws {
        let root = Fixtures.temporaryFolder()
        let fm = FileManager.default
        for name in ["basn0g01.png", "basn6a16.png", "basn2c08.png"] {
            try fm.copyItem(atPath: Fixtures.path("pngsuite/" + name), toPath: "\(root)/\(name)")
        }
        let batch = try BatchPlanner.plan(inputs: [root], outputFolder: root + "/out", box: BoxSize(width: 5, height: 5), format: nil)
        let sizes = try batch.jobs.map { try fm.attributesOfItem(atPath: $0.input)[.size] as! Int }
        #expect(sizes == sizes.sorted(by: >))
        #expect(batch.jobs.count == 3)
    }
}
