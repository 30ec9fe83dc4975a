/// `file://` URIs of local paths, as the freedesktop.org thumbnail standard keys its cache by: the
/// bytes of GLib's `g_filename_to_uri`, which is what GIO, Nautilus, Thunar and the GNOME thumbnail
/// factory hash.
public enum FileURI {
    /// `path` made absolute against `workingDirectory` and cleaned as GLib's
    /// `g_canonicalize_filename` does: `.` and empty components dropped, `..` removes the component
    /// before it (never above `/`). Symlinks are not resolved: the URI names the path the user sees.
    public static func absolutePath(_ path: String, workingDirectory: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        // POSIX leaves a leading "//" implementation-defined, so GLib keeps exactly two.
        let root = joined.hasPrefix("//") && !joined.hasPrefix("///") ? "//" : "/"
        return root + parts.joined(separator: "/")
    }

    /// The `file://` URI of an absolute path: every byte of the path's UTF-8 (or raw) name kept when
    /// GLib's "unsafe path" table allows it (letters, digits and `!$&'()*+,-./:=@_~`), otherwise
    /// written `%XX` with upper-case hex. So a space is `%20`, `#` is `%23`, `é` is `%C3%A9`.
    public static func uri(absolutePath path: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = Array("file://".utf8)
        for byte in PathBytes.encode(path) {  // the name's own bytes, not UTF-8 of its escapes
            if isAllowed(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True for the bytes `g_escape_uri_string(…, UNSAFE_PATH)` leaves as they are.
    static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!$&'()*+,-./:=@_~".utf8).contains(byte)
        }
    }
}
