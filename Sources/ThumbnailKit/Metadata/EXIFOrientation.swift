/// Reads the EXIF Orientation tag (0x0112): how the stored pixels must be turned to stand upright.
///
/// Values follow the EXIF/TIFF specification: 1 upright, 2 mirrored horizontally, 3 rotated 180°,
/// 4 mirrored vertically, 5 transposed, 6 needs a 90° clockwise turn, 7 transversed, 8 needs a 90°
/// counter-clockwise turn. Every reader here returns 1 for anything absent, malformed or out of
/// range: the input is untrusted, and an upright guess is what viewers show in that case.
public enum EXIFOrientation {
    private static let orientationTag: UInt16 = 0x0112
    private static let shortType: UInt16 = 3
    static let exifPrefix: [UInt8] = Array("Exif".utf8) + [0, 0]

    /// The orientation in a raw EXIF blob that starts with its TIFF header ("II*\0" or "MM\0*"), as
    /// PNG's eXIf chunk carries it. A leading "Exif\0\0", which some PNG writers wrongly keep, is
    /// tolerated. 1 when the tag is absent or the blob is unusable.
    public static func read(exifPayload tiff: [UInt8]) -> Int {
        if tiff.starts(with: exifPrefix) {
            return read(exifPayload: Array(tiff.dropFirst(exifPrefix.count)))
        }
        guard let reader = TIFFReader(tiff), let ifd = reader.uint32(at: 4) else { return 1 }
        // Offsets are relative to the TIFF header and may point anywhere; check before every read.
        let ifdOffset = Int(ifd)
        guard let entryCount = reader.uint16(at: ifdOffset) else { return 1 }
        for index in 0..<Int(entryCount) {
            let entry = ifdOffset + 2 + 12 * index
            guard let tag = reader.uint16(at: entry),
                  let type = reader.uint16(at: entry + 2),
                  let count = reader.uint32(at: entry + 4) else { return 1 }
            guard tag == orientationTag else { continue }
            // One SHORT fits in the entry's 4-byte value field, left-justified in either byte order.
            guard type == shortType, count >= 1, let value = reader.uint16(at: entry + 8) else { return 1 }
            return (1...8).contains(Int(value)) ? Int(value) : 1
        }
        return 1
    }

    /// True for the orientations (5...8) whose upright image has width and height swapped.
    public static func swapsAxes(_ orientation: Int) -> Bool {
        (5...8).contains(orientation)
    }
}

/// Bounds-checked integer reads from a TIFF blob in the byte order its header declares.
private struct TIFFReader {
    let bytes: [UInt8]
    let bigEndian: Bool

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): bigEndian = false  // "II", Intel
        case (0x4D, 0x4D): bigEndian = true  // "MM", Motorola
        default: return nil
        }
        self.bytes = bytes
        guard uint16(at: 2) == 42 else { return nil }
    }

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= bytes.count - 2 else { return nil }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func uint32(at offset: Int) -> UInt32? {
        guard let first = uint16(at: offset), let second = uint16(at: offset + 2) else { return nil }
        return bigEndian ? UInt32(first) << 16 | UInt32(second) : UInt32(second) << 16 | UInt32(first)
    }
}
