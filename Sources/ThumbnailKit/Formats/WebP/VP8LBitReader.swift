#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a VP8L bitstream (least significant bit first) from one byte range of an open file
/// through a fixed 64 KB buffer, so a lossless WebP of hundreds of MB is never held whole.
///
/// Bits past the end of the range read as zeros and are counted: `isPastEnd` turns true once more
/// bits were consumed than the range holds (libwebp's `eos_`), and the decoder then throws
/// `truncated`. Reading zeros until the next check keeps the hot loops free of a test per bit.
final class VP8LBitReader {
    private static let bufferSize = 1 << 16
    private let fd: Int32
    /// The next file offset to read into the buffer, and the end of the range.
    private var fileOffset: Int
    private let fileEnd: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    private var bufferPosition = 0
    private var bufferLength = 0
    /// Bits not yet consumed, the next one in bit 0; `bitCount` of them are valid or padding.
    private var value: UInt64 = 0
    private var bitCount = 0
    /// Zero bytes appended after the range ended.
    private var paddingBytes = 0
    /// Set when `read` failed: the decoder reports it rather than a truncation.
    private(set) var readError: Int32 = 0

    /// Reads `range` of the file open as `fd` (the caller keeps it open and closes it).
    init(fd: Int32, range: Range<Int>) {
        self.fd = fd
        fileOffset = range.lowerBound
        fileEnd = range.upperBound
        buffer = .allocate(capacity: Self.bufferSize)
    }

    deinit { buffer.deallocate() }

    /// True once more bits have been consumed than the range holds.
    var isPastEnd: Bool { bitCount < paddingBytes * 8 }

    /// Reloads the buffer from the file; leaves it empty at the range's end or on a read error.
    private func refill() {
        bufferPosition = 0
        bufferLength = 0
        let wanted = min(Self.bufferSize, fileEnd - fileOffset)
        guard wanted > 0, readError == 0 else { return }
        let n = SystemCall.retrying { pread(fd, buffer, wanted, off_t(fileOffset)) }
        if n < 0 {
            readError = errno
            return
        }
        bufferLength = n
        fileOffset += n
        // A file that shrank under us reads as its end.
        if n == 0 { fileOffset = fileEnd }
    }

    /// Tops `value` up to at least 56 bits.
    @inline(__always)
    func fill() {
        if bitCount >= 56 { return }
        if bufferLength - bufferPosition >= 8 {
            let word = UInt64(littleEndian: UnsafeRawPointer(buffer + bufferPosition).loadUnaligned(as: UInt64.self))
            let bytes = (63 - bitCount) >> 3
            value |= (word & ((1 &<< UInt64(bytes * 8)) &- 1)) &<< UInt64(bitCount)
            bitCount += bytes * 8
            bufferPosition += bytes
            return
        }
        slowFill()
    }

    private func slowFill() {
        while bitCount <= 56 {
            if bufferPosition == bufferLength { refill() }
            if bufferPosition < bufferLength {
                value |= UInt64(buffer[bufferPosition]) &<< UInt64(bitCount)
                bufferPosition += 1
            } else {
                paddingBytes += 1
            }
            bitCount += 8
        }
    }

    /// The next `count` bits (0...32) as a number, consumed.
    @inline(__always)
    func read(_ count: Int) -> UInt32 {
        if bitCount < count { fill() }
        let result = UInt32(truncatingIfNeeded: value & ((1 &<< UInt64(count)) &- 1))
        value &>>= UInt64(count)
        bitCount -= count
        return result
    }

    /// The next bits without consuming them: at least 32 valid (or padding) after `fill()`.
    @inline(__always)
    var peek: UInt64 { value }

    /// Consumes `count` bits already in the window (after `fill()`).
    @inline(__always)
    func skip(_ count: Int) {
        value &>>= UInt64(count)
        bitCount -= count
    }

    /// True when fewer than 32 bits are in the window.
    @inline(__always)
    var needsFill: Bool { bitCount < 32 }
}
