/// The desktop thumbnailer entry (`share/thumbnailers/thumbnail.thumbnailer`) through which GNOME's
/// thumbnail factory and tumbler run the tool: `%s` the size in pixels, `%i` the input path, `%o`
/// the PNG to write.
public enum ThumbnailerEntry {
    /// The entry's text; `packaging/thumbnail.thumbnailer` holds it and a test keeps the two equal.
    public static var text: String {
        """
        [Thumbnailer Entry]
        TryExec=thumbnail
        Exec=thumbnail --thumbnailer -s %s %i %o
        MimeType=\(DesktopMIMEType.all.map { $0 + ";" }.joined())

        """
    }
}
