import Foundation
import Testing
@testable import ThumbnailKit

@Suite struct MD5Tests {
    /// RFC 1321, appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(input: String, digest: String) {
        #expect(MD5.hex(input) == digest)
    }

    /// Lengths around the 56- and 64-byte padding edges, against coreutils' md5sum.
    @Test(arguments: [55, 56, 57, 63, 64, 65, 119, 120, 1000])
    func paddingEdgesMatchMd5sum(length: Int) throws {
        let text = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let reply = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(MD5.hex(text) == String(reply.prefix(32)))
    }
}

@Suite struct FileURITests {
    @Test(arguments: [
        ("a.jpg", "/home/me", "/home/me/a.jpg"),
        ("./x/../b c.png", "/w", "/w/b c.png"),
        ("/a//b/./c", "/", "/a/b/c"),
        ("../../../..", "/a/b", "/"),
        ("//net/x", "/", "//net/x"),
        ("///x", "/", "/x"),
    ])
    func absolutePathsAreCleanedWithoutResolvingLinks(path: String, cwd: String, expected: String) {
        #expect(FileURI.absolutePath(path, workingDirectory: cwd) == expected)
    }

    /// Every printable ASCII character and some UTF-8 names, against GLib's own
    /// g_filename_to_uri (through Debian's python3-gi), the function file managers hash.
    @Test func encodesExactlyAsGLibDoes() throws {
        let names = ["/" + String((32...126).map { Character(UnicodeScalar(UInt8($0))) }).replacingOccurrences(of: "/", with: ""),
                     "/tmp/a b#é.jpg", "/home/me/Photos/été 2024/IMG_0001 (1).JPG", "/x/日本語/100%.png", "/a/b;c?d[e]"]
        let script = "import sys\nfrom gi.repository import GLib\nfor line in sys.stdin.read().split('\\0'):\n    print(GLib.filename_to_uri(line, None))\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(names.joined(separator: "\0").utf8))
        try input.fileHandleForWriting.close()
        let glib = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0 && glib.count == names.count)
        for (name, expected) in zip(names, glib) {
            #expect(FileURI.uri(absolutePath: name) == expected, "\(name)")
        }
        #expect(FileURI.uri(absolutePath: "/tmp/a b#é.jpg") == "file:///tmp/a%20b%23%C3%A9.jpg")
    }
}

@Suite struct ThumbnailCacheTests {
    @Test func sizeFoldersAndBoxesAreTheStandardsOnes() {
        #expect(XDGThumbnailSize.allCases.map(\.folderName) == ["normal", "large", "x-large", "xx-large"])
        #expect(XDGThumbnailSize.allCases.map(\.pixels) == [128, 256, 512, 1024])
    }

    @Test func namesAreTheMD5OfTheURI() {
        let cache = ThumbnailCache(root: "/c/thumbnails")
        // The standard's own example: file:///home/jens/photos/me.png.
        #expect(cache.thumbnailPath(uri: "file:///home/jens/photos/me.png", size: .normal)
                    == "/c/thumbnails/normal/c6ee772d9e49320e97ec29a7eb5b1697.png")
        #expect(cache.failurePath(uri: "file:///home/jens/photos/me.png")
                    == "/c/thumbnails/fail/thumbnail/c6ee772d9e49320e97ec29a7eb5b1697.png")
    }

    @Test func textChunksRoundTripThroughTheEncoder() throws {
        let image = PixelBuffer(width: 3, height: 2, channels: 3, repeating: 90)
        let text = [("Thumb::URI", "file:///a%20b.png"), ("Thumb::MTime", "1700000000"), ("Software", "thumbnail")]
        let png = try PNGEncoder.encode(image, text: text.map { (key: $0.0, value: $0.1) })
        #expect(PNGTextChunks.read(png) == Dictionary(uniqueKeysWithValues: text))
        #expect(PNGTextChunks.read(try PNGEncoder.encode(image)).isEmpty)
        // A cut file gives the whole chunks before the cut, never a part of one.
        let full = PNGTextChunks.read(png)
        let counts = (0...png.count).map { length in
            let partial = PNGTextChunks.read(Array(png.prefix(length)))
            #expect(partial.allSatisfy { full[$0.key] == $0.value })
            return partial.count
        }
        #expect(Set(counts) == [0, 1, 2, 3])
        #expect(PNGTextChunks.read([1, 2, 3]).isEmpty)
    }

    @Test func writesAtomicallyWithPrivateModes() throws {
        let root = Fixtures.temporaryFolder() + "/cache/thumbnails"
        let cache = ThumbnailCache(root: root)
        let path = cache.thumbnailPath(uri: "file:///x.png", size: .large)
        try cache.write([1, 2, 3], to: path)
        #expect(try FileIO.readAll(path: path) == [1, 2, 3])
        #expect(FileIO.status(path)!.st_mode & 0o777 == 0o600)
        #expect(FileIO.status(root + "/large")!.st_mode & 0o777 == 0o700)
        #expect(FileIO.entries(of: root + "/large") == [ThumbnailCache.fileName(uri: "file:///x.png")])
    }
}

@Suite struct ThumbnailerEntryTests {
    @Test func packagedEntryIsTheGeneratedOne() throws {
        let file = Fixtures.root + "/../../packaging/thumbnail.thumbnailer"
        #expect(try String(contentsOfFile: file, encoding: .utf8) == ThumbnailerEntry.text)
    }

    @Test func entryListsTheMIMETypeOfEveryFormatRead() {
        let line = ThumbnailerEntry.text.split(separator: "\n").first { $0.hasPrefix("MimeType=") }!
        let types = line.dropFirst("MimeType=".count).split(separator: ";").map(String.init)
        #expect(types == ImageFormat.allCases.map(DesktopMIMEType.of))
        #expect(types.count == ImageFormat.allCases.count && types.allSatisfy { $0.hasPrefix("image/") })
    }
}
