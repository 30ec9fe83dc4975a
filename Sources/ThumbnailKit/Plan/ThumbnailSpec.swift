/// The settings shared by every image of a run: how thumbnails are rendered and encoded.
/// Sent to each worker once, when it starts.
public struct ThumbnailSpec: Codable, Equatable, Sendable {
    /// Gaussian blur standard deviation in source pixels (0 = none).
    public var blurSigma: Double = 2
    /// JPEG and lossy WebP quality, 1-100.
    public var quality: Int = 75
    /// Deflate level for PNG output (libdeflate), 0-9.
    public var pngLevel: Int = 6
    /// AVIF encoder speed, 0 (slowest, smallest) to 10 (fastest).
    public var avifSpeed: Int = 6
    /// Output format; nil keeps each source's.
    public var format: ImageFormat? = nil
    /// What transparent pixels are flattened onto when the output cannot hold alpha (JPEG).
    public var background: RGBColor = .white
    /// Images with more pixels than this are refused from their header, before decoding.
    public var maxPixels: Int = 500_000_000
    /// Write progressive JPEGs.
    public var progressive: Bool = false
    /// Write lossless WebP (`--lossless`); lossy at `quality` otherwise.
    public var lossless: Bool = false
    /// Apply EXIF orientation, so thumbnails are upright (`--no-rotate` turns it off).
    public var autoRotate: Bool = true
    /// `--icc`: the source's ICC profile converted to sRGB (the default), carried, or dropped.
    public var icc: ICCMode = .convert
    /// The sandbox the worker enters before its first job (set by `WorkerPool`); nil for none.
    /// Not part of `renderingKey`: it never changes a thumbnail's bytes.
    public var sandbox: SandboxPolicy? = nil
    /// `--fit`: the whole picture in the box, or the box filled and the overflow cropped.
    public var fit: FitMode = .contain
    /// `--crop`: which part `cover` keeps.
    public var crop: CropAnchor = .centre
    /// `--placeholder`: the placeholders computed for each source (none by default).
    public var placeholders: [PlaceholderKind] = []
    /// `--max-bytes`: the largest file a lossy output may be; its quality is searched (nil: none).
    public var maxBytes: Int? = nil
    /// `--sharpen`: a mild unsharp mask on the thumbnail after downscaling.
    public var sharpen: Bool = false

    public init() {}

    /// A key that changes whenever a setting that changes the output's bytes does (for
    /// incremental runs); includes the library's version.
    public var renderingKey: String {
        var hash = StableHash()
        hash.combine(ThumbnailKitInfo.version)
        hash.combine("blur=\(blurSigma) q=\(quality) png=\(pngLevel) fmt=\(format?.rawValue ?? "-") bg=\(background)")
        // `keep` and `strip` hash as the former `keepICC` true and false did: their bytes are unchanged.
        let iccKey = icc == .convert ? "convert" : "\(icc == .keep)"
        hash.combine("progressive=\(progressive) rotate=\(autoRotate) icc=\(iccKey)")
        // Only when set, so the keys of runs made before WebP output existed stay valid.
        if lossless { hash.combine("lossless") }
        // Only when not the default: keys made before the option existed stay valid.
        if avifSpeed != 6 { hash.combine("avif-speed=\(avifSpeed)") }
        if fit != .contain || !placeholders.isEmpty || maxBytes != nil || sharpen {
            // Only when used, so the keys of earlier runs without them stay valid.
            hash.combine("fit=\(fit) crop=\(crop) placeholders=\(placeholders.map(\.rawValue)) max=\(maxBytes ?? 0) sharpen=\(sharpen)")
        }
        return hash.hex
    }
}

/// Facts about the library.
public enum ThumbnailKitInfo {
    /// The version, part of every incremental-run settings key: a new version renders anew.
    public static let version = "0.3.0"
}

/// One thumbnail to make from a source: where it goes and the box it must fit.
public struct OutputRequest: Codable, Equatable, Sendable {
    public var path: String
    public var box: BoxSize
    /// The format to write (one of several `--format` values); nil: the spec's, or the source's.
    public var format: ImageFormat?

    public init(path: String, box: BoxSize, format: ImageFormat? = nil) {
        self.path = path
        self.box = box
        self.format = format
    }
}

/// What was made for one output.
public struct OutputRecord: Codable, Equatable, Sendable {
    public var path: String
    public var width: Int
    public var height: Int
    public var bytes: Int
    /// The box it was fitted in, as given (`256x256`).
    public var box: String
    /// The quality a `--max-bytes` search chose (nil without a budget or for a lossless format).
    public var quality: Int? = nil
    /// True when the file is over the `--max-bytes` budget even at quality 1.
    public var overBudget: Bool? = nil
    /// The format written (`jpeg`), for the manifest (nil in records of earlier versions).
    public var format: String? = nil

    public init(path: String, width: Int, height: Int, bytes: Int, box: String) {
        self.path = path
        self.width = width
        self.height = height
        self.bytes = bytes
        self.box = box
    }
}

/// What rendering one source gave.
public struct RenderResult: Codable, Equatable, Sendable {
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var outputs: [OutputRecord]
    /// `FileIO.fingerprint` of the source's bytes, for incremental runs.
    public var fingerprint: String
    /// The `--placeholder` strings, computed from the same decode (nil without the option).
    public var placeholders: Placeholders? = nil
}
