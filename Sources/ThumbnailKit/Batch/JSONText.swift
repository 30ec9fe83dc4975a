import FoundationEssentials

/// JSON for people's scripts: keys sorted, slashes plain, and file-name bytes that are not UTF-8
/// (kept as `PathBytes` escapes) written as the lone surrogates `\udc80`...`\udcff`, the convention
/// of Python's `surrogateescape`: `os.fsencode(json.loads(line)["input"])` gives the name's bytes.
public enum JSONText {
    /// `value` as one line of JSON, without a newline.
    public static func encode<T: Encodable>(_ value: T, pretty: Bool = false) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        return escapingPathBytes(Array((try? encoder.encode(value)) ?? Data()))
    }

    /// Replaces the UTF-8 of each escape scalar U+10FF80...U+10FFFF (F4 8F BE|BF xx), which only
    /// occurs inside strings, with `\udcXX`.
    static func escapingPathBytes(_ json: [UInt8]) -> [UInt8] {
        guard json.contains(0xF4) else { return json }
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 16)
        var i = 0
        while i < json.count {
            if json[i] == 0xF4, i + 3 < json.count, json[i + 1] == 0x8F, json[i + 2] == 0xBE || json[i + 2] == 0xBF {
                let byte = (json[i + 2] == 0xBE ? 0x80 : 0xC0) + (json[i + 3] & 0x3F)
                let hex = String(byte, radix: 16)
                out.append(contentsOf: Array("\\udc\(hex)".utf8))
                i += 4
            } else {
                out.append(json[i])
                i += 1
            }
        }
        return out
    }
}
