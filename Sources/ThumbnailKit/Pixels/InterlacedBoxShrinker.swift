/// The box shrink of `SeparableReducer` for an Adam7-interlaced PNG, whose rows arrive as seven
/// sparse passes: every pixel is added, premultiplied, to the sum of its block wherever and
/// whenever it arrives; once the last pass is in, the block averages go through the Lanczos stage
/// row by row. Memory: the block grid (`ceil(width / boxShrink)` by `ceil(height / boxShrink)`
/// pixels, a few times the thumbnail) and one pass row, never the frame.
public final class InterlacedBoxShrinker: PassRowReducer {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let channels: Int
    public let boxShrink: Int
    private let stageWidth: Int
    private let stageHeight: Int
    private let stage: SeparableReducer
    private let pixels: UnsafeMutableBufferPointer<SIMD4<Float>>
    private let grid: UnsafeMutableBufferPointer<SIMD4<Float>>

    /// The bytes the block grid of a `width` x `height` image shrunk by `boxShrink` takes.
    public static func gridBytes(width: Int, height: Int, boxShrink: Int) -> Int {
        ((width + boxShrink - 1) / boxShrink) * ((height + boxShrink - 1) / boxShrink) * MemoryLayout<SIMD4<Float>>.stride
    }

    /// - Parameters:
    ///   - horizontal: weights from `ceil(sourceWidth / boxShrink)` to the output width.
    ///   - vertical: weights from `ceil(sourceHeight / boxShrink)` to the output height.
    public init(sourceWidth: Int, sourceHeight: Int, channels: Int, boxShrink: Int,
                horizontal: ResampleWeights, vertical: ResampleWeights) {
        precondition((1...4).contains(channels) && boxShrink >= 1)
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.channels = channels
        self.boxShrink = boxShrink
        stageWidth = (sourceWidth + boxShrink - 1) / boxShrink
        stageHeight = (sourceHeight + boxShrink - 1) / boxShrink
        stage = SeparableReducer(sourceWidth: stageWidth, sourceHeight: stageHeight, channels: channels,
                                 horizontal: horizontal, vertical: vertical)
        pixels = .allocate(capacity: sourceWidth)
        pixels.initialize(repeating: .zero)
        grid = .allocate(capacity: stageWidth * stageHeight)
        grid.initialize(repeating: .zero)
    }

    deinit {
        pixels.deallocate()
        grid.deallocate()
    }

    /// Adds one pass row: `place.count` packed pixels at columns `firstColumn + i * columnStep`
    /// of source row `place.y`.
    public func consume(row source: UnsafePointer<UInt8>, at place: PNGDecoder.PassRow) {
        precondition(place.y < sourceHeight && place.firstColumn + (place.count - 1) * place.columnStep < sourceWidth)
        let pixels = self.pixels.baseAddress!
        SeparableReducer.load(source, count: place.count, channels: channels, into: pixels)
        let blocks = grid.baseAddress! + (place.y / boxShrink) * stageWidth
        // Walk the columns and their blocks together: no division per pixel.
        var block = place.firstColumn / boxShrink
        var within = place.firstColumn % boxShrink
        for i in 0..<place.count {
            blocks[block] += pixels[i]
            within += place.columnStep
            while within >= boxShrink {
                within -= boxShrink
                block += 1
            }
        }
    }

    /// The thumbnail, once every pass has been consumed: the block averages through the stage.
    public func finish() -> PixelBuffer {
        let grid = self.grid.baseAddress!
        for by in 0..<stageHeight {
            let rows = min(boxShrink, sourceHeight - by * boxShrink)
            let row = grid + by * stageWidth
            for bx in 0..<stageWidth {
                let columns = min(boxShrink, sourceWidth - bx * boxShrink)
                row[bx] *= 1 / Float(rows * columns)
            }
            stage.consume(premultiplied: row)
        }
        return stage.finish()
    }
}
