import CWebP

/// What libwebp's demuxer finds in a WebP file's chunks, without decoding: the canvas, the first
/// frame's place and bitstream, the ICC profile and the EXIF orientation.
struct WebPContainer {
    var width: Int
    var height: Int
    var hasAlpha: Bool
    var frameCount: Int
    /// Where the first frame's bitstream (VP8/VP8L, with its ALPH chunk) lies in the file.
    var firstFrame: Range<Int>
    /// The first frame covers the whole canvas, so decoding it alone gives the first picture.
    var firstFrameFillsCanvas: Bool
    var iccProfile: [UInt8]?
    var orientation: Int

    /// Parses `data`, a whole WebP file. A file that stops before its chunks do is truncated.
    init(_ data: [UInt8]) throws(CodecError) {
        var parsed: WebPContainer?
        var failure: CodecError?
        data.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { failure = .empty; return }
            var webpData = WebPData(bytes: base, size: buffer.count)
            var state = WEBP_DEMUX_PARSING_HEADER
            let demux = WebPDemuxPartial(&webpData, &state)
            defer { WebPDemuxDelete(demux) }
            guard let demux, state != WEBP_DEMUX_PARSE_ERROR else {
                failure = .badHeader("not a valid WebP container")
                return
            }
            guard state == WEBP_DEMUX_DONE else {
                failure = .truncated("the file ends before the WebP data does")
                return
            }
            let flags = WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS)
            var frame = WebPIterator()
            guard WebPDemuxGetFrame(demux, 1, &frame) != 0 else {
                failure = .badHeader("no image frame in the WebP file")
                return
            }
            defer { WebPDemuxReleaseIterator(&frame) }
            guard frame.complete != 0, let bytes = frame.fragment.bytes else {
                failure = .truncated("the first WebP frame is incomplete")
                return
            }
            let canvasWidth = Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH))
            let canvasHeight = Int(WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT))
            let start = bytes - base
            parsed = WebPContainer(
                width: canvasWidth, height: canvasHeight,
                hasAlpha: flags & ALPHA_FLAG.rawValue != 0 || frame.has_alpha != 0,
                frameCount: Int(WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT)),
                firstFrame: start..<(start + frame.fragment.size),
                firstFrameFillsCanvas: frame.x_offset == 0 && frame.y_offset == 0
                    && Int(frame.width) == canvasWidth && Int(frame.height) == canvasHeight,
                iccProfile: flags & ICCP_FLAG.rawValue != 0 ? Self.chunk("ICCP", demux) : nil,
                orientation: flags & EXIF_FLAG.rawValue != 0
                    ? Self.chunk("EXIF", demux).map { EXIFOrientation.read(exifPayload: $0) } ?? 1 : 1)
        }
        if let failure { throw failure }
        self = parsed!
    }

    private init(width: Int, height: Int, hasAlpha: Bool, frameCount: Int, firstFrame: Range<Int>,
                 firstFrameFillsCanvas: Bool, iccProfile: [UInt8]?, orientation: Int) {
        self.width = width
        self.height = height
        self.hasAlpha = hasAlpha
        self.frameCount = frameCount
        self.firstFrame = firstFrame
        self.firstFrameFillsCanvas = firstFrameFillsCanvas
        self.iccProfile = iccProfile
        self.orientation = orientation
    }

    /// The payload of the first chunk named `fourCC`, or nil.
    private static func chunk(_ fourCC: String, _ demux: OpaquePointer) -> [UInt8]? {
        var iterator = WebPChunkIterator()
        guard WebPDemuxGetChunk(demux, fourCC, 1, &iterator) != 0 else { return nil }
        defer { WebPDemuxReleaseChunkIterator(&iterator) }
        guard let bytes = iterator.chunk.bytes, iterator.chunk.size > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: bytes, count: iterator.chunk.size))
    }
}
