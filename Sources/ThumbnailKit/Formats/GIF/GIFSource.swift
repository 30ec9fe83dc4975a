/// A GIF file opened for thumbnailing: its first frame, composited on the logical screen as
/// viewers show it. Rows go straight into the reducers (interlaced frames' rows, which arrive in
/// pass order, into the reducers PNG's Adam7 passes use), so no frame is ever held.
public final class GIFSource: ImageSource {
    public static let signatureLength = 6

    /// "GIF87a" or "GIF89a".
    public static func matches(_ head: [UInt8]) -> Bool {
        head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8))
    }

    private let data: [UInt8]
    private let decoder: GIFDecoder
    public let header: ImageHeader
    /// No decoder-side shrink exists for GIF; the box sums cost far less than the resampler.
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }

    public init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        // The whole file in memory: GIFs are small next to their pixels, giflib reads from it,
        // and the fingerprint then costs no second read.
        data = try FileIO.readAll(path: path)
        decoder = try GIFDecoder(data: data)
        header = ImageHeader(width: decoder.canvasWidth, height: decoder.canvasHeight, channels: decoder.channels,
                             frameCount: max(1, GIFFrameCounter.count(data)))
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let width = decoder.canvasWidth, height = decoder.canvasHeight, channels = decoder.channels
        if !decoder.interlaced {
            let reducers = plans.map { SeparableReducer(plan: $0, channels: channels) }
            try decoder.readCanvasRows { row, _ in
                for reducer in reducers { reducer.consume(row: row) }
            }
            return reducers.map { $0.finish() }
        }
        // As PNGSource does for Adam7: block sums when the box shrink leaves a small grid, else
        // the full-size sparse filter; both take rows in any order.
        let gridLimit = 64 << 20
        let reducers: [any PassRowReducer] = plans.map { plan in
            if plan.boxShrink > 1 && InterlacedBoxShrinker.gridBytes(width: width, height: height,
                                                                      boxShrink: plan.boxShrink) <= gridLimit {
                return InterlacedBoxShrinker(sourceWidth: width, sourceHeight: height, channels: channels,
                                             boxShrink: plan.boxShrink, horizontal: plan.horizontalWeights,
                                             vertical: plan.verticalWeights)
            }
            let full = plan.withoutBoxShrink()
            return InterlacedReducer(sourceWidth: width, sourceHeight: height, channels: channels,
                                     horizontal: full.horizontalWeights, vertical: full.verticalWeights)
        }
        try decoder.readCanvasRows { row, y in
            let place = PNGDecoder.PassRow(y: y, firstColumn: 0, columnStep: 1, count: width)
            for reducer in reducers { reducer.consume(row: row, at: place) }
        }
        return reducers.map { $0.finish() }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        let stride = decoder.canvasWidth * decoder.channels
        var pixels = [UInt8](repeating: 0, count: stride * decoder.canvasHeight)
        try decoder.readCanvasRows { row, y in
            pixels.withUnsafeMutableBufferPointer { ($0.baseAddress! + y * stride).update(from: row, count: stride) }
        }
        return PixelBuffer(width: decoder.canvasWidth, height: decoder.canvasHeight, channels: decoder.channels, pixels: pixels)
    }

    public func fingerprint() throws(CodecError) -> String {
        FileIO.fingerprint(bytes: data)
    }
}
