/// The reduction a decoder can do while it decodes, before the resampler sees a pixel: what
/// `ShrinkPlan.make` may ask of a source.
public enum ShrinkOnLoad: Equatable, Sendable {
    /// None: the resampler gets the full-size image.
    case none
    /// A DCT scale of 1/8, 2/8, 4/8 or 8/8 (JPEG: the inverse DCT is computed at the smaller size).
    case dctEighths
    /// A whole-number box: blocks of n x n full-size pixels averaged as rows arrive (PNG, whose
    /// decoder cannot shrink; the box sums cost far less per pixel than the resampler).
    case wholeBox
    /// Any size: the decoder scales while it decodes and delivers rows of the asked size (WebP).
    case anyScale
}
