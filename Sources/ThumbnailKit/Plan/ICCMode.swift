/// What happens to a source's embedded ICC colour profile (`--icc`).
public enum ICCMode: String, Codable, Sendable, CaseIterable {
    /// The thumbnail's pixels converted from the profile to sRGB (Little CMS, perceptual intent),
    /// written without a profile: what browsers assume of untagged images. The default, as in sharp
    /// and imgproxy.
    case convert
    /// The pixels left as they are and the profile carried into the thumbnail, byte for byte.
    case keep
    /// The pixels left as they are and the profile dropped (`--strip-icc`).
    case strip
}
