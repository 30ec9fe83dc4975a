import Testing
@testable import ThumbnailKit

struct FilePathsTests {
    @Test(arguments: ["/", "/a", "/a/b.jpg", "//a", "/a//b", "/./a", "/a/./b", "/a/.", "/a/", "/a/..", "/a/../b", "/.hidden/x", "/a./b", "/a/.b"])
    func absolutePathsLoseEmptyAndDotComponentsOnly(_ path: String) {
        // The one-pass check agrees with splitting on "/" and dropping "" and ".".
        let parts = path.split(separator: "/").filter { $0 != "." }
        #expect(FilePaths.absolute(path) == "/" + parts.joined(separator: "/"))
    }

    @Test func relativePathsClimbOutOfTheFolder() {
        #expect(FilePaths.relative("/a/b/c.jpg", to: "/a") == "b/c.jpg")
        #expect(FilePaths.relative("/a/b/c.jpg", to: "/a/x") == "../b/c.jpg")
        #expect(FilePaths.relative("/c.jpg", to: "/a/b") == "../../c.jpg")
    }
}
