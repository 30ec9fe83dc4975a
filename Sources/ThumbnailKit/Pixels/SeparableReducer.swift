/// Applies a separable filter (horizontal weights, then vertical weights) to an 8-bit image that
/// arrives one row at a time, top to bottom, and keeps only the output: memory is one source row,
/// a few rows of float sums and the 8-bit thumbnail, whatever the source's size. This is how a
/// 30000x30000 PNG becomes a thumbnail without a full frame.
///
/// Colour is premultiplied by alpha before filtering and divided back after, so colour hidden under
/// transparent pixels never bleeds into visible ones.
///
/// With a `boxShrink` factor above 1, blocks of that many pixels square are first averaged as the
/// rows arrive (premultiplied too); the weights then apply to the shrunk image. This is the PNG
/// counterpart of JPEG's DCT shrink-on-load.
public final class SeparableReducer {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let channels: Int
    public let outputWidth: Int
    public let outputHeight: Int

    public let boxShrink: Int
    /// Size of the image the weights apply to (after the box shrink).
    private let stageWidth: Int
    private let stageHeight: Int
    /// Box sums of the current block row, `stageWidth` pixels.
    private let blockRow: UnsafeMutableBufferPointer<SIMD4<Float>>
    private var rowsInBlock = 0
    private var nextStageRow = 0
    private let horizontal: ResampleWeights
    private let vertical: ResampleWeights
    /// The stage columns and rows any weight reads (all of them unless a crop window narrows the
    /// weights): pixels outside are neither summed into blocks nor filtered, so `--fit cover`
    /// costs less than the whole picture rather than more.
    private let usedColumns: Range<Int>
    private let usedRows: Range<Int>
    private let hasAlpha: Bool
    /// One source row as premultiplied floats, 4 lanes a pixel whatever `channels` is.
    private let row: UnsafeMutableBufferPointer<SIMD4<Float>>
    /// That row after the horizontal pass.
    private let reducedRow: UnsafeMutableBufferPointer<SIMD4<Float>>
    /// Float sums of the output rows still open, a ring of `ringRows` rows: only the rows whose
    /// vertical support the incoming rows still reach, a handful whatever the output's height.
    private let accumulator: UnsafeMutableBufferPointer<SIMD4<Float>>
    private let ringRows: Int
    /// The finished thumbnail, 8 bits a sample, filled a row at a time as rows close.
    private var output: [UInt8]
    /// Output rows before this one are finished and in `output`.
    private var nextRowToFinish = 0
    private var nextRow = 0
    /// The first output row whose vertical support has not yet been passed.
    private var firstOpenOutputRow = 0

    /// - Parameters:
    ///   - horizontal: weights from the (box-shrunk) width to the output width.
    ///   - vertical: weights from the (box-shrunk) height to the output height.
    ///   - boxShrink: average blocks of this many pixels square first (1 = no box shrink); the
    ///     weights then go from `ceil(sourceWidth / boxShrink)` and `ceil(sourceHeight / boxShrink)`.
    public init(sourceWidth: Int, sourceHeight: Int, channels: Int, horizontal: ResampleWeights, vertical: ResampleWeights,
                boxShrink: Int = 1) {
        precondition((1...4).contains(channels) && boxShrink >= 1)
        stageWidth = (sourceWidth + boxShrink - 1) / boxShrink
        stageHeight = (sourceHeight + boxShrink - 1) / boxShrink
        precondition(horizontal.inputSize == stageWidth && vertical.inputSize == stageHeight)
        self.boxShrink = boxShrink
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.channels = channels
        self.horizontal = horizontal
        self.vertical = vertical
        self.outputWidth = horizontal.outputSize
        self.outputHeight = vertical.outputSize
        usedColumns = horizontal.usedInputs
        usedRows = vertical.usedInputs
        self.hasAlpha = channels == 2 || channels == 4
        row = .allocate(capacity: sourceWidth)
        blockRow = .allocate(capacity: stageWidth)
        blockRow.initialize(repeating: .zero)
        reducedRow = .allocate(capacity: outputWidth)
        ringRows = Self.mostOpenRows(vertical)
        accumulator = .allocate(capacity: outputWidth * ringRows)
        accumulator.initialize(repeating: .zero)
        output = [UInt8](repeating: 0, count: outputWidth * outputHeight * channels)
        row.initialize(repeating: .zero)
        reducedRow.initialize(repeating: .zero)
    }

    /// The reducer `plan` describes: rows of the decoded size (after shrink-on-load), or of the full
    /// size when the plan box-shrinks them as they arrive.
    public convenience init(plan: ShrinkPlan, channels: Int) {
        let boxed = plan.boxShrink > 1
        self.init(sourceWidth: boxed ? plan.sourceWidth : plan.decodedWidth, sourceHeight: boxed ? plan.sourceHeight : plan.decodedHeight,
                  channels: channels, horizontal: plan.horizontalWeights, vertical: plan.verticalWeights, boxShrink: plan.boxShrink)
    }

    deinit {
        row.deallocate()
        blockRow.deallocate()
        reducedRow.deallocate()
        accumulator.deallocate()
    }

    /// Feeds the next source row: `sourceWidth * channels` bytes.
    public func consume(row source: UnsafePointer<UInt8>) {
        precondition(nextRow < sourceHeight, "more rows than the image has")
        nextRow += 1
        if boxShrink == 1 {
            if usedRows.contains(nextStageRow) { loadRow(source) }
            filterStageRow()
            return
        }
        if usedRows.contains(nextStageRow) { addRowToBlocks(source) }
        rowsInBlock += 1
        if rowsInBlock == boxShrink || nextRow == sourceHeight {
            finishBlockRow()
            filterStageRow()
        }
    }

    /// Feeds the next row already as premultiplied floats (four lanes a pixel, alpha last), as a
    /// box shrink made elsewhere delivers it. Only without a box shrink of its own.
    public func consume(premultiplied source: UnsafePointer<SIMD4<Float>>) {
        precondition(boxShrink == 1 && nextRow < sourceHeight)
        row.baseAddress!.update(from: source, count: sourceWidth)
        nextRow += 1
        filterStageRow()
    }

    /// Runs the row in `row` (the stage's next row) through both passes.
    private func filterStageRow() {
        // A row no vertical weight reads adds nothing; it only moves the finished rows along.
        if usedRows.contains(nextStageRow) { reduceRow() }
        accumulateRow(nextStageRow)
        nextStageRow += 1
    }

    /// Adds a source row into the sums of its blocks: whole-number sums within the row (exact, and
    /// the cheapest work per source pixel in the whole path), premultiplied, then one float add
    /// per block.
    private func addRowToBlocks(_ source: UnsafePointer<UInt8>) {
        let blocks = blockRow.baseAddress!
        let f = boxShrink
        let premultiplied = SIMD4<Float>(1 / 255, 1 / 255, 1 / 255, 1)
        for b in usedColumns {
            let start = b * f
            let count = min(start + f, sourceWidth) - start
            // Separate scalar sums keep to registers; building a vector per pixel does not.
            var s0: UInt32 = 0, s1: UInt32 = 0, s2: UInt32 = 0, s3: UInt32 = 0
            switch channels {
            case 4:
                var p = source + start * 4
                for _ in 0..<count {
                    let a = UInt32(p[3])
                    s0 &+= UInt32(p[0]) &* a
                    s1 &+= UInt32(p[1]) &* a
                    s2 &+= UInt32(p[2]) &* a
                    s3 &+= a
                    p += 4
                }
                blocks[b] += SIMD4<Float>(Float(s0), Float(s1), Float(s2), Float(s3)) * premultiplied
            case 3:
                var p = source + start * 3
                for _ in 0..<count {
                    s0 &+= UInt32(p[0])
                    s1 &+= UInt32(p[1])
                    s2 &+= UInt32(p[2])
                    p += 3
                }
                blocks[b] += SIMD4<Float>(Float(s0), Float(s1), Float(s2), 0)
            case 2:
                var p = source + start * 2
                for _ in 0..<count {
                    let a = UInt32(p[1])
                    s0 &+= UInt32(p[0]) &* a
                    s3 &+= a
                    p += 2
                }
                blocks[b] += SIMD4<Float>(Float(s0), 0, 0, Float(s3)) * premultiplied
            default:
                var p = source + start
                for _ in 0..<count {
                    s0 &+= UInt32(p[0])
                    p += 1
                }
                blocks[b] += SIMD4<Float>(Float(s0), 0, 0, 0)
            }
        }
    }

    /// Turns the block sums into averages in `row` (the stage's input row) and clears them.
    private func finishBlockRow() {
        let row = self.row.baseAddress!
        let blocks = blockRow.baseAddress!
        let f = boxShrink
        let fullScale = 1 / Float(f * rowsInBlock)
        for b in usedColumns {
            let width = min((b + 1) * f, sourceWidth) - b * f
            let scale = width == f ? fullScale : 1 / Float(width * rowsInBlock)
            row[b] = blocks[b] * scale
            blocks[b] = .zero
        }
        rowsInBlock = 0
    }

    /// Feeds every row of an image held whole.
    public func consume(_ image: PixelBuffer) {
        precondition(image.width == sourceWidth && image.height == sourceHeight && image.channels == channels)
        image.pixels.withUnsafeBufferPointer { buffer in
            for y in 0..<image.height {
                consume(row: buffer.baseAddress! + y * image.stride)
            }
        }
    }

    private func loadRow(_ source: UnsafePointer<UInt8>) {
        Self.load(source + usedColumns.lowerBound * channels, count: usedColumns.count, channels: channels,
                  into: row.baseAddress! + usedColumns.lowerBound)
    }

    /// Converts `count` 8-bit pixels to premultiplied floats, four lanes a pixel (alpha last).
    static func load(_ source: UnsafePointer<UInt8>, count: Int, channels: Int, into row: UnsafeMutablePointer<SIMD4<Float>>) {
        switch channels {
        case 1:
            for x in 0..<count {
                row[x] = SIMD4(Float(source[x]), 0, 0, 0)
            }
        case 2:
            for x in 0..<count {
                let a = Float(source[2 * x + 1])
                row[x] = SIMD4(Float(source[2 * x]) * a * (1 / 255), 0, 0, a)
            }
        case 3:
            for x in 0..<count {
                let p = source + 3 * x
                row[x] = SIMD4(Float(p[0]), Float(p[1]), Float(p[2]), 0)
            }
        default:
            for x in 0..<count {
                let p = source + 4 * x
                let a = Float(p[3])
                let m = a * (1 / 255)
                row[x] = SIMD4(Float(p[0]) * m, Float(p[1]) * m, Float(p[2]) * m, a)
            }
        }
    }

    private func reduceRow() {
        let row = self.row.baseAddress!
        let out = reducedRow.baseAddress!
        let stride = horizontal.stride
        horizontal.starts.withUnsafeBufferPointer { starts in
            horizontal.counts.withUnsafeBufferPointer { counts in
                horizontal.weights.withUnsafeBufferPointer { weights in
                    for x in 0..<outputWidth {
                        var sum = SIMD4<Float>.zero
                        let taps = weights.baseAddress! + x * stride
                        let input = row + starts[x]
                        for k in 0..<counts[x] {
                            sum += taps[k] * input[k]
                        }
                        out[x] = sum
                    }
                }
            }
        }
    }

    /// The most output rows any one input row contributes to: how many rows the ring must hold.
    static func mostOpenRows(_ weights: ResampleWeights) -> Int {
        var most = 1
        var first = 0
        for y in 0..<weights.inputSize {
            while first < weights.outputSize && weights.starts[first] + weights.counts[first] <= y { first += 1 }
            var last = first
            while last < weights.outputSize && weights.starts[last] <= y { last += 1 }
            most = max(most, last - first)
        }
        return most
    }

    private func accumulateRow(_ y: Int) {
        let reduced = reducedRow.baseAddress!
        let acc = accumulator.baseAddress!
        let stride = vertical.stride
        vertical.starts.withUnsafeBufferPointer { starts in
            vertical.counts.withUnsafeBufferPointer { counts in
                vertical.weights.withUnsafeBufferPointer { weights in
                    while firstOpenOutputRow < outputHeight && starts[firstOpenOutputRow] + counts[firstOpenOutputRow] <= y {
                        firstOpenOutputRow += 1
                    }
                    // Rows no input from here on reaches are done: out of the ring, into bytes.
                    while nextRowToFinish < firstOpenOutputRow { finishRow(nextRowToFinish); nextRowToFinish += 1 }
                    var oy = firstOpenOutputRow
                    while oy < outputHeight && starts[oy] <= y {
                        let k = y - starts[oy]
                        if k < counts[oy] {
                            let w = weights[oy * stride + k]
                            let target = acc + (oy % ringRows) * outputWidth
                            for x in 0..<outputWidth {
                                target[x] += w * reduced[x]
                            }
                        }
                        oy += 1
                    }
                }
            }
        }
    }

    /// Output row `oy`: colour divided back by alpha, rounded and clamped to 8 bits; its ring slot
    /// cleared for the row that will use it next.
    private func finishRow(_ oy: Int) {
        let sums = accumulator.baseAddress! + (oy % ringRows) * outputWidth
        let channels = self.channels
        let hasAlpha = self.hasAlpha
        let width = outputWidth
        output.withUnsafeMutableBufferPointer { out in
            let row = out.baseAddress! + oy * width * channels
            for x in 0..<width {
                Self.store(sums[x], channels: channels, hasAlpha: hasAlpha, into: row + x * channels)
                sums[x] = .zero
            }
        }
    }

    /// The thumbnail, once every source row has been consumed.
    public func finish() -> PixelBuffer {
        precondition(nextRow == sourceHeight && nextStageRow == stageHeight, "finish() before every row was consumed")
        while nextRowToFinish < outputHeight { finishRow(nextRowToFinish); nextRowToFinish += 1 }
        return PixelBuffer(width: outputWidth, height: outputHeight, channels: channels, pixels: output)
    }

    /// Writes one finished pixel as bytes: colour divided back by alpha, rounded, clamped.
    @inline(__always)
    static func store(_ sums: SIMD4<Float>, channels: Int, hasAlpha: Bool, into out: UnsafeMutablePointer<UInt8>) {
        var v = sums
        if hasAlpha {
            let a = v[3]
            // Below a thousandth of a level the pixel is invisible: leave its colour 0.
            let scale: Float = a > 0.001 ? 255 / a : 0
            v[0] *= scale
            v[1] *= scale
            v[2] *= scale
            if channels == 2 { v[1] = a }
        }
        for c in 0..<channels {
            out[c] = toByte(v[c])
        }
    }

    @inline(__always)
    static func toByte(_ value: Float) -> UInt8 {
        let rounded = (value + 0.5).rounded(.down)
        return UInt8(min(max(rounded, 0), 255))
    }
}

extension SeparableReducer {
    /// The thumbnail of every plan from one pass over a decoder's rows: `readRows` calls the
    /// function it is given once per decoded row, top to bottom (the sources that stream rows).
    public static func reduce(_ plans: [ShrinkPlan], channels: Int,
                              readRows: ((UnsafePointer<UInt8>) -> Void) throws(CodecError) -> Void) throws(CodecError) -> [PixelBuffer] {
        let reducers = plans.map { SeparableReducer(plan: $0, channels: channels) }
        try readRows { row in
            for reducer in reducers { reducer.consume(row: row) }
        }
        return reducers.map { $0.finish() }
    }
}
