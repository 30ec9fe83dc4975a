/// An encoder whose output size depends on `ThumbnailSpec.quality` (JPEG, WebP, AVIF):
/// `--max-bytes` searches the quality by encoding with specs that differ only in it, so a lossy
/// format joins the search by declaring `extension XEncoder: LossyThumbnailEncoder {}`.
public protocol LossyThumbnailEncoder: ThumbnailEncoder {
    /// False when `spec` makes this encoder lossless (WebP's `--lossless`): no quality to search.
    static func searchesQuality(_ spec: ThumbnailSpec) -> Bool
}

extension LossyThumbnailEncoder {
    public static func searchesQuality(_ spec: ThumbnailSpec) -> Bool { true }
}

/// The outcome of fitting one thumbnail into a byte budget.
public struct BudgetedEncoding {
    public var bytes: [UInt8]
    public var quality: Int
    /// True when even quality 1 is larger than the budget (then `bytes` is the quality-1 file).
    public var overBudget: Bool

    /// The highest quality from 1 to `spec.quality` whose file is at most `maxBytes`, found by
    /// binary search (file size grows with quality); the quality-1 file when none fits.
    public static func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec, maxBytes: Int,
                              with encoder: any ThumbnailEncoder) throws(CodecError) -> BudgetedEncoding {
        var trial = spec
        func at(_ quality: Int) throws(CodecError) -> [UInt8] {
            trial.quality = quality
            return try encoder.encode(image, iccProfile: iccProfile, spec: trial)
        }
        let ceiling = try at(spec.quality)
        if ceiling.count <= maxBytes { return BudgetedEncoding(bytes: ceiling, quality: spec.quality, overBudget: false) }
        var low = 1
        var lowBytes = try at(1)
        if lowBytes.count > maxBytes || spec.quality == 1 {
            return BudgetedEncoding(bytes: lowBytes, quality: 1, overBudget: lowBytes.count > maxBytes)
        }
        var high = spec.quality  // does not fit
        while high - low > 1 {
            let mid = (low + high) / 2
            let bytes = try at(mid)
            if bytes.count <= maxBytes {
                low = mid
                lowBytes = bytes
            } else {
                high = mid
            }
        }
        return BudgetedEncoding(bytes: lowBytes, quality: low, overBudget: false)
    }
}
