/// A JPEG file opened for thumbnailing: the whole file in memory (TurboJPEG decodes from memory),
/// its frame header, EXIF orientation and ICC profile read from its markers. Decodes once at the
/// DCT scale the largest thumbnail needs.
public final class JPEGSource: ImageSource {
    public static let signatureLength = 3

    /// SOI followed by the first byte of the next marker.
    public static func matches(_ head: [UInt8]) -> Bool {
        head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF
    }

    private let data: [UInt8]
    private let decoder: JPEGDecoder
    private let frame: JPEGHeader
    public let header: ImageHeader
    public var shrinkOnLoad: ShrinkOnLoad { .dctEighths }
    public var cmykConversion: SRGBConversion?

    public init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        data = try FileIO.readAll(path: path)
        decoder = try handles.handle(JPEGDecoder.self) { () throws(CodecError) in try JPEGDecoder() }
        frame = try decoder.readHeader(data)
        header = ImageHeader(width: frame.width, height: frame.height, channels: frame.channels,
                             orientation: EXIFOrientation.read(jpeg: data), iccProfile: ICCProfile.extract(jpeg: data))
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let (decoded, eighths) = try decode(for: plans)
        return reduce(decoded, eighths: eighths, plans)
    }

    /// The frame at the scale the largest of `plans` needs (full size when the data is damaged).
    private func decode(for plans: [ShrinkPlan]) throws(CodecError) -> (PixelBuffer, Int) {
        // One decode serves every size: at the scale the largest thumbnail needs.
        var eighths = plans.map(\.dctScale).max() ?? 8
        if eighths == 1, let fast = ProgressiveDCDecoder.decode(data, header: frame) {
            // A progressive file at 1/8: its DC scans alone, identical to TurboJPEG's, in a few
            // bytes per block; anything the fast path declines (damage included) goes to TurboJPEG.
            return (fast, eighths)
        }
        var decoded = try decoder.decode(data, header: frame, eighths: eighths, cmykProfile: cmykProfile)
        if decoder.lastWarning != nil && eighths != 8 {
            // Damaged data decodes to wild coefficients, and a scaled IDCT keeps only their
            // average, where the full-size picture (djpeg's, Pillow's) is clipped pixel by pixel:
            // the two can differ badly. A damaged file is rare, so it gets the full-size decode.
            eighths = 8
            decoded = try decoder.decode(data, header: frame, eighths: eighths, cmykProfile: cmykProfile)
        }
        return (decoded, eighths)
    }

    private func reduce(_ decoded: PixelBuffer, eighths: Int, _ plans: [ShrinkPlan]) -> [PixelBuffer] {
        plans.map { plan in
            let reducer = SeparableReducer(plan: plan.decoded(atEighths: eighths), channels: decoded.channels)
            reducer.consume(decoded)
            return reducer.finish()
        }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        try decoder.decode(data, header: frame, eighths: 8, cmykProfile: cmykProfile)
    }


    /// The bytes are in memory already: fingerprinting them costs no read.
    public func fingerprint() throws(CodecError) -> String {
        FileIO.fingerprint(bytes: data)
    }
}

extension JPEGSource: CMYKConvertingSource {}

extension JPEGSource: HeldDecodeSource {
    public func reduce(scaledFor scalePlans: [ShrinkPlan], analysis: ShrinkPlan,
                       replan: (PixelBuffer) -> [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let (decoded, eighths) = try decode(for: scalePlans + [analysis])
        let plans = replan(reduce(decoded, eighths: eighths, [analysis])[0])
        precondition(plans.allSatisfy { $0.dctScale <= eighths }, "replanned at a finer scale than decoded")
        return reduce(decoded, eighths: eighths, plans)
    }
}
