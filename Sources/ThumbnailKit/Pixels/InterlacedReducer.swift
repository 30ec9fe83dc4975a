/// The separable filter of `SeparableReducer` for rows that arrive sparse and out of order: the
/// rows of an Adam7-interlaced PNG's seven passes, each holding every 8th, 4th, 2nd or every
/// column of one image row. The filter is linear, so each pass row adds its pixels' share to the
/// output on its own, and after the seventh pass the sums are exactly those of the whole image.
/// Memory: the output's float sums and one pass row, never the frame.
public final class InterlacedReducer: PassRowReducer {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let channels: Int
    public let outputWidth: Int
    public let outputHeight: Int

    private let horizontal: ResampleWeights
    /// For each source row, the output rows it reaches and with what weight.
    private let rowTaps: [[(row: Int, weight: Float)]]
    private let hasAlpha: Bool
    private let pixels: UnsafeMutableBufferPointer<SIMD4<Float>>
    private let reduced: UnsafeMutableBufferPointer<SIMD4<Float>>
    private let sums: UnsafeMutableBufferPointer<SIMD4<Float>>

    public init(sourceWidth: Int, sourceHeight: Int, channels: Int, horizontal: ResampleWeights, vertical: ResampleWeights) {
        precondition((1...4).contains(channels))
        precondition(horizontal.inputSize == sourceWidth && vertical.inputSize == sourceHeight)
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.channels = channels
        self.horizontal = horizontal
        outputWidth = horizontal.outputSize
        outputHeight = vertical.outputSize
        hasAlpha = channels == 2 || channels == 4
        var taps = [[(row: Int, weight: Float)]](repeating: [], count: sourceHeight)
        for oy in 0..<vertical.outputSize {
            for tap in vertical.taps(oy) { taps[tap.input].append((oy, Float(tap.weight))) }
        }
        rowTaps = taps
        pixels = .allocate(capacity: sourceWidth)
        reduced = .allocate(capacity: outputWidth)
        sums = .allocate(capacity: outputWidth * outputHeight)
        pixels.initialize(repeating: .zero)
        reduced.initialize(repeating: .zero)
        sums.initialize(repeating: .zero)
    }

    deinit {
        pixels.deallocate()
        reduced.deallocate()
        sums.deallocate()
    }

    /// Adds one pass row: `place.count` packed pixels at columns `firstColumn + i * columnStep`
    /// of source row `place.y`.
    public func consume(row source: UnsafePointer<UInt8>, at place: PNGDecoder.PassRow) {
        precondition(place.y < sourceHeight && place.firstColumn + (place.count - 1) * place.columnStep < sourceWidth)
        let pixels = self.pixels.baseAddress!
        SeparableReducer.load(source, count: place.count, channels: channels, into: pixels)
        let out = reduced.baseAddress!
        let x0 = place.firstColumn, dx = place.columnStep
        let stride = horizontal.stride
        horizontal.starts.withUnsafeBufferPointer { starts in
            horizontal.counts.withUnsafeBufferPointer { counts in
                horizontal.weights.withUnsafeBufferPointer { weights in
                    for x in 0..<outputWidth {
                        let start = starts[x], end = start + counts[x]
                        // The first of this pass's columns at or after `start`.
                        var i = start <= x0 ? x0 : x0 + (start - x0 + dx - 1) / dx * dx
                        var sum = SIMD4<Float>.zero
                        let taps = weights.baseAddress! + x * stride
                        while i < end {
                            sum += taps[i - start] * pixels[(i - x0) / dx]
                            i += dx
                        }
                        out[x] = sum
                    }
                }
            }
        }
        let acc = sums.baseAddress!
        for (oy, weight) in rowTaps[place.y] {
            let target = acc + oy * outputWidth
            for x in 0..<outputWidth { target[x] += weight * out[x] }
        }
    }

    /// The thumbnail, once every pass has been consumed.
    public func finish() -> PixelBuffer {
        var bytes = [UInt8](repeating: 0, count: outputWidth * outputHeight * channels)
        let acc = sums.baseAddress!
        bytes.withUnsafeMutableBufferPointer { out in
            for i in 0..<(outputWidth * outputHeight) {
                SeparableReducer.store(acc[i], channels: channels, hasAlpha: hasAlpha, into: out.baseAddress! + i * channels)
            }
        }
        return PixelBuffer(width: outputWidth, height: outputHeight, channels: channels, pixels: bytes)
    }
}
