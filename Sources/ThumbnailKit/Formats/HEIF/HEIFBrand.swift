/// Which family an ISO BMFF file belongs to, by the brands of its leading `ftyp` box: HEIF (HEVC
/// images: `heic`, `heix`, `hevc`, `heim`, `heis`, `mif1`, `msf1`) or AVIF (`avif`, `avis`).
/// The major brand decides; failing that, an AVIF compatible brand wins over the generic `mif1`,
/// which AVIF files list too.
enum HEIFBrand: Equatable {
    case heif
    case avif

    static let heifBrands: Set<String> = ["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]
    static let avifBrands: Set<String> = ["avif", "avis"]

    /// Bytes read to see the compatible brands of a usual `ftyp` box.
    static let headLength = 64

    /// The family `head` (a file's first bytes) declares, or nil when it is no HEIF or AVIF file.
    static func of(_ head: [UInt8]) -> HEIFBrand? {
        guard head.count >= 12, head[4...7].elementsEqual("ftyp".utf8) else { return nil }
        let boxSize = Int(head[0]) << 24 | Int(head[1]) << 16 | Int(head[2]) << 8 | Int(head[3])
        let major = brand(head, at: 8)
        if avifBrands.contains(major) { return .avif }
        var compatible: [String] = []
        var at = 16
        while at + 4 <= min(boxSize, head.count) {
            compatible.append(brand(head, at: at))
            at += 4
        }
        if compatible.contains(where: avifBrands.contains) { return .avif }
        if heifBrands.contains(major) || compatible.contains(where: heifBrands.contains) { return .heif }
        return nil
    }

    private static func brand(_ head: [UInt8], at offset: Int) -> String {
        String(decoding: head[offset..<offset + 4], as: UTF8.self)
    }
}
