import CPNGShim

/// Decodes a PNG through libpng (behind CPNGShim), one row at a time, so a huge PNG never needs a
/// whole frame in memory. Palettes and low bit depths are expanded to 8 bits, tRNS to an alpha
/// channel, 16-bit samples rounded to 8 bits; gray stays one channel. gAMA is not applied (as
/// Pillow, ImageMagick's defaults and browsers for untagged files do not either).
public final class PNGDecoder {
    private let reader: OpaquePointer
    public let width: Int
    public let height: Int
    /// Channels a row holds: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// Adam7-interlaced files cannot be reduced row by row; they are read whole.
    public let interlaced: Bool
    /// The embedded ICC profile, if any.
    public let iccProfile: [UInt8]?
    private var rowsRead = 0

    /// Opens `path` and reads its header. Refuses sides over `maxDimension` before any pixel.
    public init(path: String, maxDimension: Int) throws(CodecError) {
        var info = tnpng_info()
        var message = [CChar](repeating: 0, count: 256)
        let opened = message.withUnsafeMutableBufferPointer {
            tnpng_open(path, UInt32(clamping: maxDimension), &info, $0.baseAddress, $0.count)
        }
        guard let opened else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PNGDecoder.classify(text, reading: false)
        }
        reader = opened
        width = Int(info.width)
        height = Int(info.height)
        channels = Int(info.channels)
        interlaced = info.interlaced != 0
        iccProfile = info.icc.map { Array(UnsafeBufferPointer(start: $0, count: info.icc_length)) }
    }

    deinit { tnpng_close(reader) }

    private var lastError: String { String(cString: tnpng_error(reader)) }

    /// Hands every row to `body`, top to bottom (`width * channels` bytes each).
    public func readRows(_ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        if interlaced {
            let image = try readImage()
            image.pixels.withUnsafeBufferPointer { buffer in
                for y in 0..<height { body(buffer.baseAddress! + y * image.stride) }
            }
            return
        }
        var row = [UInt8](repeating: 0, count: width * channels)
        for _ in rowsRead..<height {
            let status = row.withUnsafeMutableBufferPointer { tnpng_read_row(reader, $0.baseAddress) }
            guard status == 0 else { throw Self.classify(lastError, reading: true) }
            row.withUnsafeBufferPointer { body($0.baseAddress!) }
            rowsRead += 1
        }
    }

    /// Reads the whole image (needed for interlaced files, and for small images in tests).
    public func readImage() throws(CodecError) -> PixelBuffer {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        if interlaced {
            let status = pixels.withUnsafeMutableBufferPointer {
                tnpng_read_image(reader, $0.baseAddress, width * channels)
            }
            guard status == 0 else { throw Self.classify(lastError, reading: true) }
        } else {
            let stride = width * channels
            for y in rowsRead..<height {
                let status = pixels.withUnsafeMutableBufferPointer {
                    tnpng_read_row(reader, $0.baseAddress! + y * stride)
                }
                guard status == 0 else { throw Self.classify(lastError, reading: true) }
                rowsRead += 1
            }
        }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    static func classify(_ message: String, reading: Bool) -> CodecError {
        if message.hasPrefix("open: ") { return .unreadable(String(message.dropFirst(6))) }
        let lower = message.lowercased()
        if lower.contains("read error") || lower.contains("not enough") || lower.contains("truncated")
            || lower.contains("unexpected end") {
            // libpng's own words ("Read Error") do not say what happened: the file ran out.
            return .truncated("the file ends before the image does (libpng: \(message))")
        }
        if lower.contains("exceeds user limit") || lower.contains("image width is too large")
            || lower.contains("image height is too large") {
            return .unsupported(message)
        }
        return reading ? .corrupt(message) : .badHeader(message)
    }
}
