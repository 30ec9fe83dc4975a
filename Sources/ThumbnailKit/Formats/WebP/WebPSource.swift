import CWebP
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A WebP file opened for thumbnailing. libwebp scales while it decodes (an area-averaging
/// rescaler run as rows come out of the decoder), so a still image is decoded straight at twice
/// the thumbnail's size: a 16383x16383 WebP never needs its full frame. Animated files give their
/// first frame: decoded alone (and scaled) when it fills the canvas, else composed by libwebp's
/// animation decoder on the full-size canvas, as Pillow does.
///
/// Still lossless files are the exception: libwebp holds their whole frame as 32-bit ARGB even
/// when scaling (a copy may reach anywhere back), so they go through our own `VP8LDecoder`, read
/// from the file in small pieces, with rows streamed into box shrink and resampler as PNG rows are.
public final class WebPSource: ImageSource {
    public static let signatureLength = 12

    /// "RIFF", a 4-byte size, "WEBP".
    public static func matches(_ head: [UInt8]) -> Bool {
        head.count >= 12 && head[0..<4].elementsEqual("RIFF".utf8) && head[8..<12].elementsEqual("WEBP".utf8)
    }

    /// The whole file, for libwebp (empty on the lossless path).
    private let data: [UInt8]
    private let container: WebPContainer?
    /// The lossless path: the open file and where its bitstream lies.
    private let lossless: WebPLosslessContainer?
    private let fd: Int32
    public let header: ImageHeader

    /// `THUMBNAIL_WEBP_DECODER=libwebp` sends lossless files through libwebp too, for a whole run
    /// (workers inherit it): a hidden switch for tests that compare both paths end to end.
    static let ownLosslessDisabled: Bool = getenv("THUMBNAIL_WEBP_DECODER").map { String(cString: $0) == "libwebp" } ?? false

    /// A composed canvas is whole in memory, and lossless rows come full size: their rows are
    /// box-shrunk on their way into the resampler, as PNG rows are.
    public var shrinkOnLoad: ShrinkOnLoad { container?.firstFrameFillsCanvas ?? false ? .anyScale : .wholeBox }

    public convenience init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        try self.init(path: path, ownLossless: !Self.ownLosslessDisabled)
    }

    /// `ownLossless: false` reads lossless files with libwebp (tests compare both).
    init(path: String, ownLossless: Bool) throws(CodecError) {
        let fd = try FileIO.openRegularFile(path)
        // Why every still lossless file, not only big ones: ours decodes the 5120x2880 bench photo
        // within 1.5x of libwebp's full-size WebPDecode (rows streamed into the box shrink instead
        // of libwebp's rescaler), and in bounded memory at any size: one path, tested against libwebp.
        if ownLossless, let lossless = WebPLosslessContainer.read(fd: fd) {
            self.fd = fd
            self.lossless = lossless
            data = []
            container = nil
            header = ImageHeader(width: lossless.width, height: lossless.height, channels: lossless.hasAlpha ? 4 : 3,
                                 orientation: lossless.orientation, iccProfile: lossless.iccProfile, frameCount: 1)
            return
        }
        // The walker reads with `pread`: the descriptor still stands at the file's start.
        defer { close(fd) }
        self.fd = -1
        lossless = nil
        data = try FileIO.readAll(fd: fd)
        let container = try WebPContainer(data)
        self.container = container
        header = ImageHeader(width: container.width, height: container.height, channels: container.hasAlpha ? 4 : 3,
                             orientation: container.orientation, iccProfile: container.iccProfile,
                             frameCount: container.frameCount)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// True when our own VP8L decoder reads this file.
    var decodesLosslessItself: Bool { lossless != nil }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        if let lossless {
            let decoder = try VP8LDecoder(fd: fd, range: lossless.bitstream)
            let channels = header.channels
            let width = header.width
            let row = UnsafeMutablePointer<UInt8>.allocate(capacity: width * channels)
            defer { row.deallocate() }
            // Full-size rows, as PNG's: a plan made for a scaling decoder is re-made for them.
            let fullSize = plans.map { $0.boxShrink > 1 ? $0 : $0.scaled(toWidth: width, height: header.height) }
            return try SeparableReducer.reduce(fullSize, channels: channels) { consume throws(CodecError) in
                try decoder.decodeRows { argb in
                    Self.bytes(argb, width: width, channels: channels, into: row)
                    consume(row)
                }
            }
        }
        guard let container else { preconditionFailure("a WebP source has a container") }
        guard container.firstFrameFillsCanvas else {
            let canvas = try composedFirstFrame()
            return plans.map { plan in
                let reducer = SeparableReducer(plan: plan, channels: canvas.channels)
                reducer.consume(canvas)
                return reducer.finish()
            }
        }
        // One decode serves every size: at the largest size any plan asks for.
        let largest = plans.max { $0.decodedWidth * $0.decodedHeight < $1.decodedWidth * $1.decodedHeight }
        let width = largest?.decodedWidth ?? header.width
        let height = largest?.decodedHeight ?? header.height
        let decoded = try decodeFirstFrame(width: width, height: height)
        return plans.map { plan in
            let reducer = SeparableReducer(plan: plan.scaled(toWidth: width, height: height), channels: decoded.channels)
            reducer.consume(decoded)
            return reducer.finish()
        }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        if let lossless {
            let decoder = try VP8LDecoder(fd: fd, range: lossless.bitstream)
            let width = header.width, channels = header.channels
            var pixels = [UInt8](repeating: 0, count: width * header.height * channels)
            var y = 0
            try pixels.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
                try decoder.decodeRows { argb in
                    Self.bytes(argb, width: width, channels: channels, into: buffer.baseAddress! + y * width * channels)
                    y += 1
                }
            }
            return PixelBuffer(width: width, height: header.height, channels: channels, pixels: pixels)
        }
        guard let container else { preconditionFailure("a WebP source has a container") }
        return container.firstFrameFillsCanvas ? try decodeFirstFrame(width: header.width, height: header.height) : try composedFirstFrame()
    }

    public func fingerprint() throws(CodecError) -> String {
        // The lossless path never holds the file: read again through the open descriptor.
        if lossless == nil { return FileIO.fingerprint(bytes: data) }
        return try FileIO.fingerprint(fd: fd)
    }

    /// ARGB pixels as RGBA or RGB bytes.
    private static func bytes(_ argb: UnsafePointer<UInt32>, width: Int, channels: Int, into out: UnsafeMutablePointer<UInt8>) {
        if channels == 4 {
            for x in 0..<width {
                let p = argb[x]
                out[4 * x] = UInt8(truncatingIfNeeded: p >> 16)
                out[4 * x + 1] = UInt8(truncatingIfNeeded: p >> 8)
                out[4 * x + 2] = UInt8(truncatingIfNeeded: p)
                out[4 * x + 3] = UInt8(truncatingIfNeeded: p >> 24)
            }
        } else {
            for x in 0..<width {
                let p = argb[x]
                out[3 * x] = UInt8(truncatingIfNeeded: p >> 16)
                out[3 * x + 1] = UInt8(truncatingIfNeeded: p >> 8)
                out[3 * x + 2] = UInt8(truncatingIfNeeded: p)
            }
        }
    }

    /// The first frame's bitstream decoded at `width` x `height` (libwebp's rescaler when that is
    /// not the full size), RGB or RGBA.
    private func decodeFirstFrame(width: Int, height: Int) throws(CodecError) -> PixelBuffer {
        let channels = header.channels
        guard let container else { preconditionFailure("a WebP source has a container") }
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else { throw .unsupported("libwebp's decoder version does not match") }
        if width != header.width || height != header.height {
            config.options.use_scaling = 1
            config.options.scaled_width = Int32(width)
            config.options.scaled_height = Int32(height)
        }
        config.output.colorspace = channels == 4 ? MODE_RGBA : MODE_RGB
        config.output.is_external_memory = 1
        var status = VP8_STATUS_OK
        let frame = container.firstFrame
        // libwebp writes every pixel of the buffer when it succeeds; after a failure it is not read.
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * channels) { output, count in
            config.output.u.RGBA.rgba = output.baseAddress
            config.output.u.RGBA.stride = Int32(width * channels)
            config.output.u.RGBA.size = output.count
            status = data.withUnsafeBufferPointer { input in
                WebPDecode(input.baseAddress! + frame.lowerBound, frame.count, &config)
            }
            count = status == VP8_STATUS_OK ? output.count : 0
        }
        WebPFreeDecBuffer(&config.output)
        guard status == VP8_STATUS_OK else { throw Self.error(status) }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The first frame composed on its canvas by libwebp's animation decoder (for first frames
    /// that cover only part of it), full size.
    private func composedFirstFrame() throws(CodecError) -> PixelBuffer {
        var options = WebPAnimDecoderOptions()
        guard WebPAnimDecoderOptionsInit(&options) != 0 else { throw .unsupported("libwebp's demuxer version does not match") }
        options.color_mode = MODE_RGBA
        options.use_threads = 0
        let width = header.width, height = header.height, channels = header.channels
        var failure: CodecError?
        var pixels: [UInt8] = []
        data.withUnsafeBufferPointer { input in
            var webpData = WebPData(bytes: input.baseAddress, size: input.count)
            guard let decoder = WebPAnimDecoderNew(&webpData, &options) else {
                failure = .corrupt("libwebp cannot decode the animation")
                return
            }
            defer { WebPAnimDecoderDelete(decoder) }
            var canvas: UnsafeMutablePointer<UInt8>?
            var timestamp: Int32 = 0
            guard WebPAnimDecoderGetNext(decoder, &canvas, &timestamp) != 0, let canvas else {
                failure = .corrupt("libwebp cannot decode the first frame")
                return
            }
            let rgba = UnsafeBufferPointer(start: canvas, count: width * height * 4)
            if channels == 4 {
                pixels = Array(rgba)
            } else {
                pixels = [UInt8](repeating: 0, count: width * height * 3)
                for i in 0..<(width * height) {
                    pixels[3 * i] = rgba[4 * i]
                    pixels[3 * i + 1] = rgba[4 * i + 1]
                    pixels[3 * i + 2] = rgba[4 * i + 2]
                }
            }
        }
        if let failure { throw failure }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// libwebp's status as the reason an image failed.
    static func error(_ status: VP8StatusCode) -> CodecError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: return .truncated("the file ends before the WebP image does")
        case VP8_STATUS_BITSTREAM_ERROR: return .corrupt("libwebp found a bitstream error")
        case VP8_STATUS_UNSUPPORTED_FEATURE: return .unsupported("a WebP feature libwebp does not decode")
        case VP8_STATUS_OUT_OF_MEMORY: return .unsupported("libwebp ran out of memory")
        default: return .corrupt("libwebp status \(status.rawValue)")
        }
    }
}
