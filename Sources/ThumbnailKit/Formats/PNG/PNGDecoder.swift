import CPNGShim
#if canImport(Glibc)
import Glibc
#endif

/// Decodes a PNG through libpng (behind CPNGShim), one row at a time, so a huge PNG never needs a
/// whole frame in memory. Palettes and low bit depths are expanded to 8 bits, tRNS to an alpha
/// channel, 16-bit samples rounded to 8 bits; gray stays one channel. gAMA is not applied (as
/// Pillow, ImageMagick's defaults and browsers for untagged files do not either).
///
/// 8-bit gray, gray+alpha, RGB, RGBA and palette images, plain or Adam7, take a fast path once
/// libpng has read the header: ISA-L inflates, SSE2 unfilters (CPNGFast.c), rows identical to
/// libpng's. The fast path fails on anything it does not vouch for, even what libpng only warns
/// about; whoever streamed its rows then decodes again with `.libpng` (see `PNGSource`), so
/// libpng has the last word on every damaged file. `readImage` does that itself.
public final class PNGDecoder {
    /// Who reads the image data.
    public enum Backend: Sendable {
        /// The fast path where the image is one it reads, else libpng.
        case automatic
        /// libpng only: the reference, and the fallback after a fast-path failure.
        case libpng
    }

    /// `THUMBNAIL_PNG_DECODER=libpng` turns the fast path off for a whole run (workers inherit
    /// it): a hidden switch for tests that compare both paths end to end.
    static let fastPathDisabled: Bool = getenv("THUMBNAIL_PNG_DECODER").map { String(cString: $0) == "libpng" } ?? false

    private var reader: OpaquePointer
    private let path: String
    private let maxDimension: Int
    public let width: Int
    public let height: Int
    /// Channels a row holds: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// Adam7-interlaced: rows come pass by pass (`readPassRows`), or whole (`readImage`).
    public let interlaced: Bool
    private let deinterlace: Bool
    /// The embedded ICC profile, if any.
    public let iccProfile: [UInt8]?
    /// True while the image data is read by the fast path rather than libpng.
    public private(set) var usesFastPath: Bool
    private var rowsRead = 0
    /// Hashes the bytes libpng reads, when asked to (see `fingerprint()`).
    private let observer: ReadObserver?

    /// Receives libpng's reads through a C callback: a class, so the callback can reach it.
    private final class ReadObserver {
        var fingerprint = Fingerprint()
    }

    /// Opens `path` and reads its header. Refuses sides over `maxDimension` before any pixel.
    /// - Parameters:
    ///   - deinterlace: let libpng assemble interlaced images, for `readImage` (a whole frame);
    ///     false to read their passes with `readPassRows` and never hold a frame.
    ///   - fingerprinting: hash the bytes as libpng reads them, for `fingerprint()`: the file is
    ///     read once, not once to decode and again to fingerprint.
    ///   - backend: `.libpng` keeps the fast path off for this file.
    public init(path: String, maxDimension: Int, deinterlace: Bool = true, fingerprinting: Bool = false,
                backend: Backend = .automatic) throws(CodecError) {
        self.path = path
        self.maxDimension = maxDimension
        let observer = fingerprinting ? ReadObserver() : nil
        self.observer = observer
        let (opened, info) = try Self.open(path: path, maxDimension: maxDimension, deinterlace: deinterlace, observer: observer)
        reader = opened
        width = Int(info.width)
        height = Int(info.height)
        channels = Int(info.channels)
        interlaced = info.interlaced != 0
        self.deinterlace = deinterlace
        iccProfile = info.icc.map { Array(UnsafeBufferPointer(start: $0, count: info.icc_length)) }
        // The fast path declines (reading nothing) what it does not read: libpng goes on.
        usesFastPath = backend == .automatic && !Self.fastPathDisabled && tnpng_fast_begin(opened) == 0
    }

    deinit { tnpng_close(reader) }

    /// Opens `path` with libpng and reads its header; `observer` (if any) sees every byte read.
    private static func open(path: String, maxDimension: Int, deinterlace: Bool,
                             observer: ReadObserver?) throws(CodecError) -> (OpaquePointer, tnpng_info) {
        var info = tnpng_info()
        var message = [CChar](repeating: 0, count: 256)
        let context = observer.map { Unmanaged.passUnretained($0).toOpaque() }
        let callback: tnpng_observer? = observer != nil ? { context, bytes, length in
            let observer = Unmanaged<ReadObserver>.fromOpaque(context!).takeUnretainedValue()
            observer.fingerprint.add(UnsafeRawBufferPointer(start: bytes, count: length))
        } : nil
        // Opened here, not by libpng: a FIFO or device is refused before it could block, and the
        // name's bytes are the file's own (PathBytes).
        let fd = try FileIO.openRegularFile(path)
        let opened = message.withUnsafeMutableBufferPointer {
            tnpng_open(fd, UInt32(clamping: maxDimension), deinterlace ? 1 : 0, callback, context, &info,
                       $0.baseAddress, $0.count)
        }
        guard let opened else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw PNGDecoder.classify(text, reading: false)
        }
        return (opened, info)
    }

    /// The fingerprint of the whole file (`FileIO.fingerprint`), once the image has been read:
    /// what libpng read, then whatever follows the image data. Needs `fingerprinting`.
    public func fingerprint() throws(CodecError) -> String {
        guard let observer else { preconditionFailure("open with fingerprinting to fingerprint") }
        guard tnpng_read_rest(reader) == 0 else { throw .unreadable("read error after the image data") }
        return observer.fingerprint.hex
    }

    private var lastError: String { String(cString: tnpng_error(reader)) }

    /// The fast path's next row and where it lies (pass, row within the pass).
    private func nextFastRow() throws(CodecError) -> (UnsafePointer<UInt8>, Int, Int) {
        var pass: Int32 = 0
        var rowInPass: UInt32 = 0
        guard let row = tnpng_fast_next_row(reader, &pass, &rowInPass) else { throw Self.classify(lastError, reading: true) }
        return (row, Int(pass), Int(rowInPass))
    }

    /// Hands every row of a non-interlaced image to `body`, top to bottom (`width * channels` bytes).
    public func readRows(_ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        precondition(!interlaced, "interlaced images come pass by pass: readPassRows")
        if usesFastPath {
            for _ in rowsRead..<height {
                body(try nextFastRow().0)
                rowsRead += 1
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

    /// Where one row of an Adam7 pass lies in the full image: its row, first column and the step
    /// between its pixels.
    public struct PassRow: Equatable, Sendable {
        public var y: Int
        public var firstColumn: Int
        public var columnStep: Int
        public var count: Int
    }

    /// Adam7's passes: (first row, row step, first column, column step).
    static let adam7 = [(0, 8, 0, 8), (0, 8, 4, 8), (4, 8, 0, 4), (0, 4, 2, 4), (2, 4, 0, 2), (0, 2, 1, 2), (1, 2, 0, 1)]

    /// Hands every row of every Adam7 pass of an interlaced image (opened without `deinterlace`)
    /// to `body` with where it lies; a pass row holds only that pass's pixels, packed.
    public func readPassRows(_ body: (UnsafePointer<UInt8>, PassRow) -> Void) throws(CodecError) {
        precondition(interlaced && !deinterlace)
        try readPassRowsUnchecked(body)
    }

    /// Rows of every pass in file order (number of rows of all passes with columns).
    private var passRowCount: Int {
        Self.adam7.reduce(0) { sum, pass in
            let rows = height > pass.0 ? (height - pass.0 + pass.1 - 1) / pass.1 : 0
            let columns = width > pass.2 ? (width - pass.2 + pass.3 - 1) / pass.3 : 0
            return sum + (columns > 0 ? rows : 0)
        }
    }

    private func readPassRowsUnchecked(_ body: (UnsafePointer<UInt8>, PassRow) -> Void) throws(CodecError) {
        let total = passRowCount
        if usesFastPath {
            for _ in 0..<total {
                let (row, pass, rowInPass) = try nextFastRow()
                guard (0..<7).contains(pass) else { throw .corrupt("bad interlace pass \(pass)") }
                let (y0, dy, x0, dx) = Self.adam7[pass]
                let y = y0 + rowInPass * dy
                guard y < height, x0 < width else { throw .corrupt("interlaced row outside the image") }
                body(row, PassRow(y: y, firstColumn: x0, columnStep: dx, count: (width - x0 + dx - 1) / dx))
            }
            return
        }
        var row = [UInt8](repeating: 0, count: width * channels)
        for _ in 0..<total {
            var pass: Int32 = 0
            var rowInPass: UInt32 = 0
            let status = row.withUnsafeMutableBufferPointer { tnpng_read_pass_row(reader, $0.baseAddress, &pass, &rowInPass) }
            guard status == 0 else { throw Self.classify(lastError, reading: true) }
            guard (0..<7).contains(Int(pass)) else { throw .corrupt("bad interlace pass \(pass)") }
            let (y0, dy, x0, dx) = Self.adam7[Int(pass)]
            let y = y0 + Int(rowInPass) * dy
            guard y < height, x0 < width else { throw .corrupt("interlaced row outside the image") }
            let place = PassRow(y: y, firstColumn: x0, columnStep: dx, count: (width - x0 + dx - 1) / dx)
            row.withUnsafeBufferPointer { body($0.baseAddress!, place) }
        }
    }

    /// Reads the whole image (needed for interlaced files, and for small images in tests).
    public func readImage() throws(CodecError) -> PixelBuffer {
        precondition(!interlaced || deinterlace, "open with deinterlace to read an interlaced image whole")
        guard usesFastPath else { return try readImageWithLibpng() }
        do {
            return try readImageFast()
        } catch {
            try restartWithLibpng()
            return try readImageWithLibpng()
        }
    }

    /// libpng's verdict on a file the fast path refused: the file is opened again from the start
    /// on a fresh libpng reader (and a fresh fingerprint of the bytes it reads), rows from the top.
    public func restartWithLibpng() throws(CodecError) {
        observer?.fingerprint = Fingerprint()
        let (fresh, _) = try Self.open(path: path, maxDimension: maxDimension, deinterlace: deinterlace, observer: observer)
        tnpng_close(reader)
        reader = fresh
        usesFastPath = false
        rowsRead = 0
    }

    private func readImageFast() throws(CodecError) -> PixelBuffer {
        let stride = width * channels
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        if interlaced {
            try pixels.withUnsafeMutableBufferPointer { (frame: inout UnsafeMutableBufferPointer<UInt8>) throws(CodecError) in
                let base = frame.baseAddress!
                try readPassRowsUnchecked { row, place in
                    for i in 0..<place.count {
                        let to = base + place.y * stride + (place.firstColumn + i * place.columnStep) * channels
                        to.update(from: row + i * channels, count: channels)
                    }
                }
            }
        } else {
            try pixels.withUnsafeMutableBufferPointer { (frame: inout UnsafeMutableBufferPointer<UInt8>) throws(CodecError) in
                var y = rowsRead
                try readRows { row in
                    (frame.baseAddress! + y * stride).update(from: row, count: stride)
                    y += 1
                }
            }
        }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    private func readImageWithLibpng() throws(CodecError) -> PixelBuffer {
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
