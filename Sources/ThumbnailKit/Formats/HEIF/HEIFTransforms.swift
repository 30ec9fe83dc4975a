/// The transformative properties (`irot`, `imir`, `clap`) of a HEIF file's primary item, read from
/// its `meta` box (`pitm`, `iprp`/`ipco`, `ipma`). libheif 1.15 applies them while decoding and
/// does not report them, so the decoder reads them here to decode the stored pixels instead
/// (`ignore_transformations`) and report the rotation and mirror as an EXIF orientation: the
/// renderer then turns the thumbnail (cheap) rather than libheif the full frame (a second frame in
/// memory), and `--no-rotate` keeps the stored order, as for JPEG and AVIF.
struct HEIFTransforms: Equatable {
    /// `irot`: quarter turns anticlockwise (0-3).
    var rotation = 0
    /// `imir`'s low bit (libavif's reading: 1 mirrors left and right, 0 top and bottom); nil: none.
    var mirror: Int?
    /// The item has a `clap` crop.
    var hasCleanAperture = false
    /// `imir` is listed before `irot` (MIAF requires `irot` first; such a file is left to libheif).
    var mirrorFirst = false

    /// The EXIF orientation equal to the rotation followed by the mirror.
    var orientation: Int { AVIFDecoder.orientation(angle: rotation, mirror: mirror) }

    /// Reads the primary item's properties; nil when the boxes cannot be walked (libheif then
    /// judges the file).
    static func read(_ data: [UInt8]) -> HEIFTransforms? {
        data.withUnsafeBufferPointer { bytes in
            guard let meta = BoxReader(bytes, 0..<bytes.count).child("meta") else { return nil }
            let inside = BoxReader(bytes, meta.lowerBound + 4 ..< meta.upperBound) // a FullBox
            guard let pitm = inside.child("pitm"), pitm.count >= 6 else { return nil }
            let primary = bytes[pitm.lowerBound] == 0 ? inside.u16(pitm.lowerBound + 4) : inside.u32(pitm.lowerBound + 4)
            guard let iprp = inside.child("iprp") else { return HEIFTransforms() }
            let properties = BoxReader(bytes, iprp)
            guard let ipco = properties.child("ipco") else { return HEIFTransforms() }
            let list = BoxReader(bytes, ipco).children()
            var result = HEIFTransforms()
            var sawRotation = false
            // Every `ipma` box: an item's associations may be split over several.
            for (type, ipma) in properties.children() where type == "ipma" {
                guard ipma.count >= 8 else { return nil }
                let version = bytes[ipma.lowerBound], flags = bytes[ipma.lowerBound + 3]
                var p = ipma.lowerBound + 4
                let entries = properties.u32(p)
                p += 4
                for _ in 0..<entries {
                    guard p + (version < 1 ? 3 : 5) <= ipma.upperBound else { return nil }
                    let item = version < 1 ? properties.u16(p) : properties.u32(p)
                    p += version < 1 ? 2 : 4
                    let count = Int(bytes[p])
                    p += 1
                    let wide = flags & 1 != 0
                    guard p + count * (wide ? 2 : 1) <= ipma.upperBound else { return nil }
                    for _ in 0..<count {
                        let index = wide ? Int(properties.u16(p) & 0x7FFF) : Int(bytes[p] & 0x7F)
                        p += wide ? 2 : 1
                        guard item == primary, index >= 1, index <= list.count else { continue }
                        let (type, body) = list[index - 1]
                        switch type {
                        case "irot" where body.count >= 1:
                            result.rotation = Int(bytes[body.lowerBound] & 3)
                            sawRotation = true
                        case "imir" where body.count >= 1:
                            result.mirror = Int(bytes[body.lowerBound] & 1)
                            if !sawRotation { result.mirrorFirst = true }
                        case "clap":
                            result.hasCleanAperture = true
                        default:
                            break
                        }
                    }
                }
            }
            if result.mirror == nil || result.rotation == 0 { result.mirrorFirst = false }
            return result
        }
    }
}

/// Walks ISO BMFF boxes within a range of bytes.
private struct BoxReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let range: Range<Int>

    init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.bytes = bytes
        self.range = range.clamped(to: 0..<bytes.count)
    }

    func u16(_ at: Int) -> UInt32 { UInt32(bytes[at]) << 8 | UInt32(bytes[at + 1]) }
    func u32(_ at: Int) -> UInt32 { u16(at) << 16 | u16(at + 2) }

    /// The boxes directly in the range: type and body (after the header), in order; stops at the
    /// first box that does not fit.
    func children() -> [(String, Range<Int>)] {
        var found: [(String, Range<Int>)] = []
        var at = range.lowerBound
        while at + 8 <= range.upperBound {
            var size = Int(u32(at))
            var header = 8
            if size == 1 {
                guard at + 16 <= range.upperBound else { break }
                let large = UInt64(u32(at + 8)) << 32 | UInt64(u32(at + 12))
                guard large <= UInt64(Int.max) else { break }
                size = Int(large)
                header = 16
            } else if size == 0 {
                size = range.upperBound - at
            }
            guard size >= header, size <= range.upperBound - at else { break }
            let type = String(decoding: UnsafeBufferPointer(rebasing: bytes[at + 4 ..< at + 8]), as: UTF8.self)
            found.append((type, at + header ..< at + size))
            at += size
        }
        return found
    }

    /// The first box of `type` directly in the range: its body.
    func child(_ type: String) -> Range<Int>? {
        children().first { $0.0 == type }?.1
    }
}
