#if canImport(Glibc)
import Glibc
#endif

/// File names on Linux are bytes, not text: `caf\xe9.jpg` (Latin-1) is a valid name that is not
/// UTF-8. Paths travel through the tool as Swift strings, so every byte that is not part of valid
/// UTF-8 is kept as one private-use scalar, U+10FF00 plus the byte (U+10FF80...U+10FFFF), and
/// turned back into that byte at every system call, as Python's `surrogateescape` does with lone
/// surrogates (which Swift strings cannot hold). A name that really contains one of those scalars
/// (their UTF-8 starts F4 8F BE or F4 8F BF) has its bytes escaped one by one too, so the mapping is
/// lossless both ways for every name.
public enum PathBytes {
    /// The first scalar of the escape range: U+10FF00 + a byte from 0x80 to 0xFF.
    static let escapeBase: UInt32 = 0x10FF00

    /// The string standing for the bytes of a path or name.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let array = Array(bytes)
        // Fast path: valid UTF-8 without anything from the escape range (nearly every name).
        if !array.contains(where: { $0 >= 0x80 }) { return String(decoding: array, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < array.count {
            if let (scalar, length) = validScalar(array, at: i), !isEscape(scalar.value) {
                scalars.append(scalar)
                i += length
            } else {
                // An invalid byte, or one byte of a real escape-range scalar: kept byte by byte.
                if array[i] < 0x80 {
                    scalars.append(Unicode.Scalar(array[i]))
                } else {
                    scalars.append(Unicode.Scalar(escapeBase + UInt32(array[i]))!)
                }
                i += 1
            }
        }
        return String(scalars)
    }

    /// The bytes a path stands for (without a terminating NUL).
    public static func encode(_ path: String) -> [UInt8] {
        guard path.unicodeScalars.contains(where: { isEscape($0.value) }) else { return Array(path.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.utf8.count)
        for scalar in path.unicodeScalars {
            if isEscape(scalar.value) {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// The NUL-terminated form a system call takes.
    public static func systemPath(_ path: String) -> [CChar] {
        encode(path).map { CChar(bitPattern: $0) } + [0]
    }

    /// True when `a`'s bytes come before `b`'s (memcmp order, as SQLite orders blobs; a byte
    /// escape sorts as its private-use scalar's UTF-8). Faster than comparing the UTF-8 views
    /// element by element, which was a tenth of walking a big folder.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b  // native strings: no copy, withUTF8 only needs them mutable
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }

    /// True when `path`'s bytes start with `prefix`'s.
    public static func hasPrefix(_ path: String, _ prefix: String) -> Bool {
        var path = path, prefix = prefix
        return path.withUTF8 { x in
            prefix.withUTF8 { y in
                y.count <= x.count && (y.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, y.count) == 0)
            }
        }
    }

    /// True when `names` are in `precedes` order already.
    public static func isSorted(_ names: [String]) -> Bool {
        var index = 1
        while index < names.count {
            if precedes(names[index], names[index - 1]) { return false }
            index += 1
        }
        return true
    }

    /// True when the scalar stands for a byte that is not valid UTF-8.
    public static func isEscape(_ value: UInt32) -> Bool {
        value >= escapeBase + 0x80 && value <= escapeBase + 0xFF
    }

    /// The scalar a well-formed UTF-8 sequence at `i` encodes, and its length; nil when the bytes
    /// there are not well-formed (overlong forms, surrogates and values past U+10FFFF included).
    private static func validScalar(_ b: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let lead = b[i]
        let length: Int
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let next = b[i + k]
            guard next & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(next & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
