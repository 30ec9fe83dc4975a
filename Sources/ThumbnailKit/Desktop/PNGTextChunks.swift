/// Reads the uncompressed `tEXt` chunks of a PNG, without libpng: the thumbnail cache only needs
/// to compare a cached file's `Thumb::URI` and `Thumb::MTime` with the source's.
public enum PNGTextChunks {
    /// Key/value pairs of every `tEXt` chunk in `png`, in file order (Latin-1 decoded); empty
    /// when `png` is not a PNG. Stops at `IEND` or at a chunk that runs past the end.
    public static func read(_ png: [UInt8]) -> [String: String] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count >= 8, Array(png[0..<8]) == signature else { return [:] }
        var texts: [String: String] = [:]
        var at = 8
        while at + 12 <= png.count {
            let length = Int(png[at]) << 24 | Int(png[at + 1]) << 16 | Int(png[at + 2]) << 8 | Int(png[at + 3])
            let type = String(decoding: png[(at + 4)..<(at + 8)], as: UTF8.self)
            let start = at + 8
            guard length <= png.count - start - 4 else { break }
            if type == "tEXt", let nul = png[start..<(start + length)].firstIndex(of: 0) {
                texts[latin1(png[start..<nul])] = latin1(png[(nul + 1)..<(start + length)])
            }
            if type == "IEND" { break }
            at = start + length + 4
        }
        return texts
    }

    private static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
