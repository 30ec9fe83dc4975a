/// A PNG file opened for thumbnailing: libpng reads its header; rows (or Adam7 pass rows) then go
/// straight into the reducers, so no frame is ever held.
public final class PNGSource: ImageSource {
    public static let signatureLength = 8

    /// The 8-byte PNG signature.
    public static func matches(_ head: [UInt8]) -> Bool {
        head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Sides libpng is allowed to read: far above `--max-pixels`' default, which the renderer checks.
    static let maxDimension = 1 << 20

    private let path: String
    private let decoder: PNGDecoder
    public let header: ImageHeader
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }

    public convenience init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        try self.init(path: path, fingerprinting: fingerprinting, backend: .automatic)
    }

    /// `backend: .libpng` keeps the fast path off (tests compare both).
    init(path: String, fingerprinting: Bool, backend: PNGDecoder.Backend) throws(CodecError) {
        self.path = path
        decoder = try PNGDecoder(path: path, maxDimension: Self.maxDimension, deinterlace: false, fingerprinting: fingerprinting,
                                 backend: backend)
        // eXIf orientation is not read (rare; Pillow's thumbnail ignores it too).
        header = ImageHeader(width: decoder.width, height: decoder.height, channels: decoder.channels,
                             iccProfile: decoder.iccProfile)
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        guard decoder.usesFastPath else { return try reduceOnce(plans) }
        do {
            return try reduceOnce(plans)
        } catch {
            // The fast path refused the file (damage, or what libpng only warns about): its rows
            // are dropped and libpng, the reference, decodes it from the start and has the last word.
            try decoder.restartWithLibpng()
            return try reduceOnce(plans)
        }
    }

    private func reduceOnce(_ plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        if decoder.interlaced { return try reduceInterlaced(plans) }
        return try SeparableReducer.reduce(plans, channels: decoder.channels) { consume throws(CodecError) in try decoder.readRows(consume) }
    }

    /// Adam7 passes arrive sparse and out of row order. Each size gets block sums when its box
    /// shrink leaves a small grid (the usual thumbnail), else the full-size sparse filter, whose
    /// memory is the output's.
    private func reduceInterlaced(_ plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let gridLimit = 64 << 20
        let reducers: [any PassRowReducer] = plans.map { plan in
            if plan.boxShrink > 1 && InterlacedBoxShrinker.gridBytes(width: decoder.width, height: decoder.height,
                                                                      boxShrink: plan.boxShrink) <= gridLimit {
                return InterlacedBoxShrinker(sourceWidth: decoder.width, sourceHeight: decoder.height,
                                             channels: decoder.channels, boxShrink: plan.boxShrink,
                                             horizontal: plan.horizontalWeights, vertical: plan.verticalWeights)
            }
            let full = plan.withoutBoxShrink()
            return InterlacedReducer(sourceWidth: decoder.width, sourceHeight: decoder.height, channels: decoder.channels,
                                     horizontal: full.horizontalWeights, vertical: full.verticalWeights)
        }
        try decoder.readPassRows { row, place in
            for reducer in reducers { reducer.consume(row: row, at: place) }
        }
        return reducers.map { $0.finish() }
    }

    /// Interlaced files are read again with libpng assembling the frame (this source's decoder
    /// reads passes). `readImage` falls back to libpng itself.
    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        if decoder.interlaced { return try PNGDecoder(path: path, maxDimension: Self.maxDimension).readImage() }
        return try decoder.readImage()
    }

    public func fingerprint() throws(CodecError) -> String {
        try decoder.fingerprint()
    }
}
