/// A source that turns CMYK pixels into RGB as it decodes them (JPEG): the reducer works on gray
/// or RGB(A) only, so a CMYK profile cannot wait for the small result. Under `--icc convert` the
/// renderer hands it its converter, and CMYK goes through the file's CMYK profile (Little CMS)
/// instead of the naive formula used without one.
public protocol CMYKConvertingSource: ImageSource {
    /// The converter CMYK pixels go through when the file has a CMYK profile; nil: the naive formula.
    var cmykConversion: SRGBConversion? { get set }
}

extension CMYKConvertingSource {
    /// The CMYK profile to decode through with its converter: set when the renderer asked for
    /// conversion and the file's profile is a CMYK one; nil means the naive formula.
    var cmykProfile: (profile: [UInt8], conversion: SRGBConversion)? {
        guard let cmykConversion, let profile = header.iccProfile, SRGBConversion.isCMYK(profile) else { return nil }
        return (profile, cmykConversion)
    }
}
