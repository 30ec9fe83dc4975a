/// Where each thumbnail goes: the source's file name inside the output folder; with `--format`,
/// the name's extension replaced by the format's (`.jpg`, `.png`).
public enum OutputNaming {
    /// The output path for `input` in `folder`.
    public static func outputPath(for input: String, in folder: String, format: ImageFormat?) -> String {
        var name = fileName(of: input)
        if let format {
            name = stem(of: name) + "." + format.fileExtension
        }
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return prefix + name
    }

    /// The last path component.
    public static func fileName(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.lastIndex(of: "/") { return String(trimmed[trimmed.index(after: slash)...]) }
        return String(trimmed)
    }

    /// The name without its last extension (`a.b.jpg` gives `a.b`; `.hidden` stays whole).
    public static func stem(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
