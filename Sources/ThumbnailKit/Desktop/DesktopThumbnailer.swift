#if canImport(Glibc)
import Glibc
#endif

/// What happened to one source in the thumbnail cache.
public enum DesktopOutcome: Equatable, Sendable {
    /// A thumbnail was written at `path`, `width` x `height`.
    case written(path: String, width: Int, height: Int)
    /// The cached thumbnail already matches the source's modification time.
    case upToDate(path: String)
    /// The source failed now (`reason`); its failure entry was written.
    case failed(reason: String)
    /// The source failed before, at this same modification time (its failure entry says so).
    case failedBefore
}

/// Fills the freedesktop.org thumbnail cache for one source at a time: decodes and reduces it to
/// the size folder's box (no blur unless asked), and writes the PNG with the standard's
/// `Thumb::` text chunks; a source that fails gets a failure entry instead. Keep one per thread:
/// it holds a `ThumbnailRenderer`'s codec handles.
public final class DesktopThumbnailer {
    public let cache: ThumbnailCache
    public let size: XDGThumbnailSize
    private let renderer: ThumbnailRenderer

    /// `blurSigma` 0 by default: the desktop shows thumbnails as previews, sharp.
    public init(cache: ThumbnailCache, size: XDGThumbnailSize, blurSigma: Double = 0, maxPixels: Int = 500_000_000) {
        self.cache = cache
        self.size = size
        var spec = ThumbnailSpec()
        spec.blurSigma = blurSigma
        spec.maxPixels = maxPixels
        // File managers do not colour-manage thumbnails: the pixels are converted to sRGB, which
        // they assume, and no profile rides along (`.convert`, the default).
        spec.icc = .convert
        spec.format = .png
        renderer = ThumbnailRenderer(spec: spec)
    }

    /// Brings `path`'s cache entry up to date: skips it when the thumbnail (or an earlier failure
    /// entry) carries the source's modification time, unless `force`; otherwise renders it.
    public func update(_ path: String, workingDirectory: String, force: Bool = false) -> DesktopOutcome {
        let uri = FileURI.uri(absolutePath: FileURI.absolutePath(path, workingDirectory: workingDirectory))
        let target = cache.thumbnailPath(uri: uri, size: size)
        let failure = cache.failurePath(uri: uri)
        guard let info = FileIO.status(path) else {
            return .failed(reason: CodecError.unreadable(FileIO.errorText()).description)  // nothing to record against
        }
        let modified = Int64(info.st_mtim.tv_sec)
        if !force {
            if cache.isCurrent(target, uri: uri, modified: modified) { return .upToDate(path: target) }
            if cache.isCurrent(failure, uri: uri, modified: modified) { return .failedBefore }
        }
        do {
            let (png, width, height) = try Self.thumbnailPNG(of: path, renderer: renderer, box: size.pixels,
                                                             uri: uri, modified: modified, fileSize: Int(info.st_size))
            try cache.write(png, to: target)
            unlink(PathBytes.systemPath(failure))  // it succeeds now
            return .written(path: target, width: width, height: height)
        } catch {
            // Record the failure against this version of the source (a 1x1 transparent PNG with
            // the URI and time, as the standard describes), so file managers need not try again.
            let mark = PixelBuffer(width: 1, height: 1, channels: 4)
            if let png = try? PNGEncoder.encode(mark, text: [("Thumb::URI", uri), ("Thumb::MTime", String(modified))]) {
                try? cache.write(png, to: failure)
            }
            return .failed(reason: error.description)
        }
    }

    /// The PNG thumbnail of `path` fitted in a `box` x `box` square, with the `Thumb::` chunks of
    /// the standard when `uri` is given, and its width and height.
    public static func thumbnailPNG(of path: String, renderer: ThumbnailRenderer, box: Int, uri: String? = nil,
                                    modified: Int64 = 0, fileSize: Int = 0) throws(CodecError) -> ([UInt8], Int, Int) {
        let rendered = try renderer.thumbnailsAndSource(of: path, boxes: [BoxSize(width: box, height: box)])
        let image = rendered.images[0]
        var text: [(key: String, value: String)] = []
        if let uri {
            text = [
                ("Thumb::URI", uri),
                ("Thumb::MTime", String(modified)),
                ("Thumb::Size", String(fileSize)),
                ("Thumb::Mimetype", DesktopMIMEType.of(rendered.format)),
                ("Thumb::Image::Width", String(rendered.width)),
                ("Thumb::Image::Height", String(rendered.height)),
                ("Software", "thumbnail \(ThumbnailKitInfo.version)"),
            ]
        }
        return (try PNGEncoder.encode(image, level: 6, text: text), image.width, image.height)
    }
}
