#if canImport(Glibc)
import Glibc
#endif

/// Where each thumbnail goes. The name comes from a template over the source's name:
/// `{name}` (the file name without its extension), `{ext}` (its extension, or the `--format`'s),
/// `{size}` (the box as given, `256x256`), `{width}` and `{height}` (the thumbnail's, filled in once
/// known). Default: `{name}.{ext}` for one size (the source's own name), `{name}_{size}.{ext}` for
/// several. With a mirrored tree (`--recursive`) the source's folders below its input are kept.
public enum OutputNaming {
    public static let singleSizeTemplate = "{name}.{ext}"
    public static let multiSizeTemplate = "{name}_{size}.{ext}"

    /// Stands for the extension in a planned path when only the renderer can choose it: a source
    /// in a format the tool does not write becomes JPEG, or PNG when it has alpha.
    public static let deferredExtension = "{ext}"
    /// The formats a deferred extension can become.
    public static let fallbackFormats: [ImageFormat] = [.jpeg, .png]

    /// The output path for the source at `relativePath` (its path below its input) in `folder`.
    /// `{width}` and `{height}` are left in place for the renderer, and so is `{ext}` when the
    /// source's format (`sourceFormat`) is one the tool does not write and `format` is nil.
    public static func outputPath(relativePath: String, in folder: String, template: String, box: BoxSize,
                                  format: ImageFormat?, mirrorTree: Bool, sourceFormat: ImageFormat? = nil) -> String {
        let name = fileName(of: relativePath)
        let sourceWritten = sourceFormat.map { $0.entry.encoder != nil } ?? true
        let ext = format?.fileExtension ?? (sourceWritten ? extensionOf(name) : deferredExtension)
        var base = template
            .replacingAll("{name}", with: stem(of: name))
            .replacingAll("{size}", with: box.description)
            .replacingAll("{ext}", with: ext)
        if ext.isEmpty && base.hasSuffix(".") { base.removeLast() }
        var prefix = folder.hasSuffix("/") ? folder : folder + "/"
        if mirrorTree, let slash = relativePath.utf8.lastIndex(of: UInt8(ascii: "/")) {
            prefix += relativePath[..<slash] + "/"
        }
        return prefix + base
    }

    /// The old single-size rule: the source's name, or its stem with the format's extension.
    public static func outputPath(for input: String, in folder: String, format: ImageFormat?) -> String {
        outputPath(relativePath: fileName(of: input), in: folder, template: singleSizeTemplate,
                   box: BoxSize(width: 1, height: 1), format: format, mirrorTree: false)
    }

    /// Fills `{width}` and `{height}` once the thumbnail's size is known, and a deferred `{ext}`
    /// once its format is.
    public static func resolve(_ path: String, width: Int, height: Int, format: ImageFormat? = nil) -> String {
        let sized = path.replacingAll("{width}", with: String(width)).replacingAll("{height}", with: String(height))
        guard let format else { return sized }
        return sized.replacingAll(deferredExtension, with: format.fileExtension)
    }

    /// Every path a planned path can become once a deferred extension is chosen.
    public static func candidates(_ path: String) -> [String] {
        guard path.containsBytes(of: deferredExtension) else { return [path] }
        return fallbackFormats.map { path.replacingAll(deferredExtension, with: $0.fileExtension) }
    }

    /// The last path component.
    // On the UTF-8 view: '/' and '.' are bytes in a path, and searching Characters (grapheme
    // breaking) was a twentieth of an up-to-date run over 100,000 sources.
    public static func fileName(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.utf8.count > 1 && trimmed.utf8.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        if let slash = trimmed.utf8.lastIndex(of: UInt8(ascii: "/")) { return String(trimmed[trimmed.utf8.index(after: slash)...]) }
        return String(trimmed)
    }

    /// The name without its last extension (`a.b.jpg` gives `a.b`; `.hidden` stays whole).
    public static func stem(of name: String) -> String {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The last extension, without its dot; empty when there is none.
    public static func extensionOf(_ name: String) -> String {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return "" }
        return String(name[name.utf8.index(after: dot)...])
    }

    /// The folder part of a path ("." when there is none).
    public static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

extension String {
    /// Every occurrence of `target` replaced. Compared byte by byte: _StringProcessing's
    /// `firstRange(of:)` was half of an up-to-date run's time at 100,000 sources (three calls
    /// per output name).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var bytes = self
        var pattern = target
        return bytes.withUTF8 { text in
            pattern.withUTF8 { pattern in
                guard let first = pattern.first, text.count >= pattern.count else { return self }
                var result: [UInt8] = []
                var index = 0
                var found = false
                while index < text.count {
                    if text[index] == first && index + pattern.count <= text.count
                        && memcmp(text.baseAddress! + index, pattern.baseAddress!, pattern.count) == 0 {
                        if !found {
                            result.reserveCapacity(text.count + 16)
                            result.append(contentsOf: text[0..<index])
                            found = true
                        }
                        result.append(contentsOf: replacement.utf8)
                        index += pattern.count
                    } else {
                        if found { result.append(text[index]) }
                        index += 1
                    }
                }
                return found ? String(decoding: result, as: UTF8.self) : self
            }
        }
    }
}

extension String {
    /// True when `part` occurs in this string, compared as UTF-8 bytes: a plain scan, where
    /// `contains(_:)` goes through the string-processing library's searcher (measured: a tenth of
    /// an up-to-date run over 100,000 sources).
    func containsBytes(of part: String) -> Bool {
        let needle = Array(part.utf8)
        guard let first = needle.first else { return true }
        let haystack = Array(utf8)
        guard haystack.count >= needle.count else { return false }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
