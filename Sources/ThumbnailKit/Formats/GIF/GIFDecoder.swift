import CGIF

/// Decodes the first frame of a GIF held in memory through giflib, one row at a time, composited
/// on its logical screen as viewers show it: the frame at its offset, its transparent index (from
/// the Graphics Control Extension before it) as alpha, the screen outside the frame transparent.
/// A frame reaching past the screen widens it, as Pillow does. Without a colour map (neither
/// local nor global) indexes are gray levels, as Pillow reads them.
final class GIFDecoder {
    /// The logical screen, widened to hold the first frame.
    let canvasWidth: Int
    let canvasHeight: Int
    /// 4 (RGBA) when any pixel can be transparent, else 3 (RGB).
    let channels: Int
    /// The first frame's rows are stored in four interlace passes.
    let interlaced: Bool

    private let gif: UnsafeMutablePointer<GifFileType>
    private let reader: MemoryReader
    private let frameLeft: Int, frameTop: Int, frameWidth: Int, frameHeight: Int
    private let transparentIndex: Int?
    /// 256 RGB entries (missing ones black), from the local colour map, else the global one.
    private let palette: [UInt8]
    private var rowsRead = false

    /// Hands giflib the bytes: a class, so its C read callback can reach it through `UserData`.
    private final class MemoryReader {
        let data: [UInt8]
        var offset = 0
        init(_ data: [UInt8]) { self.data = data }
    }

    /// Opens the GIF in `data` and reads up to its first image descriptor.
    init(data: [UInt8]) throws(CodecError) {
        let reader = MemoryReader(data)
        var error: Int32 = 0
        let read: InputFunc = { gif, buffer, length in
            guard let gif, let buffer, length > 0 else { return 0 }
            let reader = Unmanaged<MemoryReader>.fromOpaque(gif.pointee.UserData).takeUnretainedValue()
            let count = min(Int(length), reader.data.count - reader.offset)
            reader.data.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + reader.offset, count: count) }
            reader.offset += count
            return Int32(count)
        }
        guard let gif = DGifOpen(Unmanaged.passUnretained(reader).toOpaque(), read, &error) else {
            throw Self.classify(error, reading: false, atEnd: reader.offset >= data.count)
        }
        self.gif = gif
        self.reader = reader
        var transparent: Int?
        do {
            try Self.skipToFirstImage(gif, transparent: &transparent) { reader.offset >= reader.data.count }
        } catch {
            DGifCloseFile(gif, nil)
            throw error
        }
        let image = gif.pointee.Image
        frameLeft = Int(image.Left)
        frameTop = Int(image.Top)
        frameWidth = Int(image.Width)
        frameHeight = Int(image.Height)
        interlaced = image.Interlace
        transparentIndex = transparent
        canvasWidth = max(Int(gif.pointee.SWidth), frameLeft + frameWidth)
        canvasHeight = max(Int(gif.pointee.SHeight), frameTop + frameHeight)
        let coversScreen = frameLeft == 0 && frameTop == 0 && frameWidth == canvasWidth && frameHeight == canvasHeight
        channels = transparent != nil || !coversScreen ? 4 : 3
        palette = Self.palette(image.ColorMap ?? gif.pointee.SColorMap)
        if canvasWidth == 0 || canvasHeight == 0 {
            DGifCloseFile(gif, nil)
            throw .badHeader("the GIF's screen is \(canvasWidth)x\(canvasHeight) pixels")
        }
    }

    deinit { DGifCloseFile(gif, nil) }

    /// Reads records up to the first image descriptor, noting the transparent index of the
    /// Graphics Control Extensions met on the way (the last one that sets it counts, as in Pillow).
    private static func skipToFirstImage(_ gif: UnsafeMutablePointer<GifFileType>, transparent: inout Int?,
                                         atEnd: () -> Bool) throws(CodecError) {
        while true {
            var type = UNDEFINED_RECORD_TYPE
            guard DGifGetRecordType(gif, &type) == GIF_OK else { throw classify(gif.pointee.Error, reading: false, atEnd: atEnd()) }
            switch type {
            case IMAGE_DESC_RECORD_TYPE:
                guard DGifGetImageDesc(gif) == GIF_OK else { throw classify(gif.pointee.Error, reading: false, atEnd: atEnd()) }
                return
            case EXTENSION_RECORD_TYPE:
                var code: Int32 = 0
                var block: UnsafeMutablePointer<GifByteType>?
                guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw classify(gif.pointee.Error, reading: false, atEnd: atEnd()) }
                if code == GRAPHICS_EXT_FUNC_CODE, let block {
                    var control = GraphicsControlBlock()
                    if DGifExtensionToGCB(Int(block[0]), block + 1, &control) == GIF_OK && control.TransparentColor >= 0 {
                        transparent = Int(control.TransparentColor)
                    }
                }
                while block != nil {
                    guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw classify(gif.pointee.Error, reading: false, atEnd: atEnd()) }
                }
            case TERMINATE_RECORD_TYPE:
                throw .badHeader("the GIF holds no image")
            default:
                throw .badHeader("unexpected GIF record")
            }
        }
    }

    /// A colour map as 256 RGB entries; nil (no map) gives gray levels.
    private static func palette(_ map: UnsafeMutablePointer<ColorMapObject>?) -> [UInt8] {
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        guard let map, let colors = map.pointee.Colors else {
            for i in 0..<256 { palette[3 * i] = UInt8(i); palette[3 * i + 1] = UInt8(i); palette[3 * i + 2] = UInt8(i) }
            return palette
        }
        for i in 0..<min(256, Int(map.pointee.ColorCount)) {
            palette[3 * i] = colors[i].Red
            palette[3 * i + 1] = colors[i].Green
            palette[3 * i + 2] = colors[i].Blue
        }
        return palette
    }

    /// Hands every canvas row (`canvasWidth * channels` bytes) to `body` with its row number:
    /// top to bottom, except for an interlaced frame, whose rows come in pass order (the rows
    /// outside the frame first). Once only: giflib reads forward.
    func readCanvasRows(_ body: (UnsafePointer<UInt8>, Int) -> Void) throws(CodecError) {
        precondition(!rowsRead, "a GIF's rows are read once")
        rowsRead = true
        var canvasRow = [UInt8](repeating: 0, count: canvasWidth * channels)
        var indexes = [GifPixelType](repeating: 0, count: max(frameWidth, 1))
        let frameRows = frameTop..<(frameTop + frameHeight)
        // Rows outside the frame: the screen left transparent (its own buffer: `canvasRow` keeps
        // the last frame row).
        let blankRow = [UInt8](repeating: 0, count: frameHeight < canvasHeight ? canvasWidth * channels : 0)
        func emitBlankRow(_ y: Int) {
            blankRow.withUnsafeBufferPointer { body($0.baseAddress!, y) }
        }
        func emitFrameRow(_ y: Int) throws(CodecError) {
            let status = indexes.withUnsafeMutableBufferPointer { DGifGetLine(gif, $0.baseAddress, Int32(frameWidth)) }
            guard status == GIF_OK else { throw Self.classify(gif.pointee.Error, reading: true, atEnd: reader.offset >= reader.data.count) }
            canvasRow.withUnsafeMutableBufferPointer { row in
                palette.withUnsafeBufferPointer { palette in
                    let out = row.baseAddress! + frameLeft * channels
                    for x in 0..<frameWidth {
                        let index = Int(indexes[x])
                        let pixel = out + x * channels
                        if index == transparentIndex {
                            pixel[0] = 0; pixel[1] = 0; pixel[2] = 0; pixel[3] = 0
                            continue
                        }
                        pixel[0] = palette[3 * index]
                        pixel[1] = palette[3 * index + 1]
                        pixel[2] = palette[3 * index + 2]
                        if channels == 4 { pixel[3] = 255 }
                    }
                }
            }
            canvasRow.withUnsafeBufferPointer { body($0.baseAddress!, y) }
        }
        if !interlaced {
            for y in 0..<canvasHeight {
                if frameRows.contains(y) { try emitFrameRow(y) } else { emitBlankRow(y) }
            }
            return
        }
        for y in 0..<canvasHeight where !frameRows.contains(y) { emitBlankRow(y) }
        // The four passes: every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1.
        for (start, step) in [(0, 8), (4, 8), (2, 4), (1, 2)] {
            for row in stride(from: start, to: frameHeight, by: step) { try emitFrameRow(frameTop + row) }
        }
    }

    /// - Parameter atEnd: every byte of the file has been handed to giflib. giflib says "read
    ///   failed" for a file that ran out and for some damage too (an LZW code size over 8), and
    ///   other things for a file cut inside its header.
    static func classify(_ code: Int32, reading: Bool, atEnd: Bool) -> CodecError {
        let message = GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
        switch code {
        case _ where atEnd, D_GIF_ERR_EOF_TOO_SOON:
            // Whatever giflib calls it ("no screen descriptor", "wrong record type"), an error
            // once every byte has been read is the file running out.
            return .truncated("the file ends before the image does (giflib: \(message))")
        case D_GIF_ERR_NOT_ENOUGH_MEM:
            return .unsupported("giflib: \(message)")
        default:
            return reading ? .corrupt("giflib: \(message)") : .badHeader("giflib: \(message)")
        }
    }
}
