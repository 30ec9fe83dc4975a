/// Pillow's `GaussianBlur(sigma)`: three passes of an extended box blur whose variance adds up to
/// sigma squared (Gwosdek et al., "Theoretical foundations of Gaussian convolution by extended box
/// filtering"). Matching Pillow's approximation, rather than a sampled Gaussian, is what keeps the
/// thumbnail true to the reference rendering on images too small to be reduced.
public enum GaussianBlur {
    /// Box passes Pillow uses for its Gaussian blur.
    public static let passes = 3

    /// The extended box radius for a Gaussian of standard deviation `sigma` made of `passes` boxes
    /// (Pillow's `_gaussian_blur_radius`).
    public static func boxRadius(sigma: Double, passes: Int = passes) -> Double {
        let sigma2 = sigma * sigma / Double(passes)
        let length = (12 * sigma2 + 1).squareRoot()
        let whole = ((length - 1) / 2).rounded(.down)
        var fraction = (2 * whole + 1) * (whole * (whole + 1) - 3 * sigma2)
        fraction /= 6 * (sigma2 - (whole + 1) * (whole + 1))
        return whole + fraction
    }

    /// `weights` preceded by the blur of standard deviation `sigma` along the same axis.
    public static func apply(sigma: Double, before weights: ResampleWeights) -> ResampleWeights {
        guard sigma > 0 else { return weights }
        return weights.afterBoxBlur(radius: boxRadius(sigma: sigma), passes: passes)
    }
}
