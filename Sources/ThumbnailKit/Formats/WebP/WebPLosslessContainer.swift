#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where a still lossless WebP keeps its VP8L bitstream, found by walking the RIFF chunks of the
/// open file with a few small reads (the file is not read whole): the simple format (one VP8L
/// chunk) or the extended one (VP8X, then ICCP, EXIF, XMP and one VP8L, no animation, no VP8 or
/// ALPH). Anything else, or anything odd (a size past the RIFF end, two bitstreams, a canvas
/// other than the bitstream's size, an unknown VP8L version), is left to libwebp's demuxer
/// (`WebPContainer`), which also gives the reason a damaged file fails.
struct WebPLosslessContainer {
    var width: Int
    var height: Int
    var hasAlpha: Bool
    /// The VP8L chunk's payload in the file.
    var bitstream: Range<Int>
    var iccProfile: [UInt8]?
    var orientation: Int

    /// Reads the chunks of the file open as `fd`; nil when it is not a still lossless WebP this
    /// walker vouches for.
    static func read(fd: Int32) -> WebPLosslessContainer? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let fileSize = Int(info.st_size)
        func bytes(_ offset: Int, _ count: Int) -> [UInt8]? {
            guard offset >= 0, count >= 0, offset + count <= fileSize else { return nil }
            var result = [UInt8](repeating: 0, count: count)
            var filled = 0
            while filled < count {
                let n = result.withUnsafeMutableBytes { buffer in
                    SystemCall.retrying { pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset + filled)) }
                }
                guard n > 0 else { return nil }
                filled += n
            }
            return result
        }
        func le(_ b: [UInt8], _ at: Int, _ count: Int) -> Int {
            (0..<count).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) }
        }
        guard let head = bytes(0, 20), head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WEBP".utf8) else { return nil }
        let riffEnd = le(head, 4, 4) + 8
        guard riffEnd >= 20, riffEnd <= fileSize else { return nil }
        let firstSize = le(head, 16, 4)
        // Chunks count with their padding byte, as libwebp's demuxer counts them.
        guard 20 + firstSize + (firstSize & 1) <= riffEnd else { return nil }
        var container = WebPLosslessContainer(width: 0, height: 0, hasAlpha: false, bitstream: 20..<(20 + firstSize),
                                              iccProfile: nil, orientation: 1)
        var canvas: (Int, Int)?
        var alphaFlag = false
        if head[12..<16].elementsEqual("VP8X".utf8) {
            guard firstSize >= 10, let vp8x = bytes(20, 10) else { return nil }
            let flags = vp8x[0]
            // Animated files go through libwebp (the first frame may need composing); reserved
            // flag bits, which libwebp's demuxer refuses, too (it then gives the reason).
            guard flags & 0x02 == 0, flags & ~0x3E == 0 else { return nil }
            alphaFlag = flags & 0x10 != 0
            canvas = (le(vp8x, 4, 3) + 1, le(vp8x, 7, 3) + 1)
            var offset = 20 + firstSize + (firstSize & 1)
            var found: Range<Int>?
            var seenICC = false, seenEXIF = false
            while offset + 8 <= riffEnd {
                guard let chunk = bytes(offset, 8) else { return nil }
                let size = le(chunk, 4, 4)
                let payload = (offset + 8)..<(offset + 8 + size)
                guard payload.upperBound + (size & 1) <= riffEnd else { return nil }
                switch String(decoding: chunk[0..<4], as: UTF8.self) {
                case "VP8L":
                    guard found == nil else { return nil }
                    found = payload
                case "VP8 ", "ALPH", "ANIM", "ANMF", "VP8X":
                    return nil
                case "ICCP" where flags & 0x20 != 0 && !seenICC:
                    seenICC = true
                    guard let profile = bytes(payload.lowerBound, size) else { return nil }
                    if size > 0 { container.iccProfile = profile }
                case "EXIF" where flags & 0x08 != 0 && !seenEXIF:
                    seenEXIF = true
                    guard let exif = bytes(payload.lowerBound, size) else { return nil }
                    if size > 0 { container.orientation = EXIFOrientation.read(exifPayload: exif) }
                default:
                    break
                }
                offset = payload.upperBound + (size & 1)
            }
            // Bytes left over that make no chunk header: libwebp's demuxer refuses the file.
            guard offset == riffEnd, let found else { return nil }
            container.bitstream = found
        } else if !head[12..<16].elementsEqual("VP8L".utf8) {
            return nil
        }
        guard container.bitstream.count >= 5, let header = bytes(container.bitstream.lowerBound, 5), header[0] == 0x2F else { return nil }
        let bits = le(header, 1, 4)
        container.width = (bits & 0x3FFF) + 1
        container.height = ((bits >> 14) & 0x3FFF) + 1
        let alphaIsUsed = (bits >> 28) & 1 == 1
        guard (bits >> 29) == 0 else { return nil }
        if let canvas, canvas != (container.width, container.height) { return nil }
        container.hasAlpha = alphaFlag || alphaIsUsed
        return container
    }
}
