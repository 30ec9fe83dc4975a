/// A source that turns CMYK pixels into RGB as it decodes them (JPEG): the reducer works on gray
/// or RGB(A) only, so a CMYK profile cannot wait for the small result. Under `--icc convert` the
/// renderer hands it its converter, and CMYK goes through the file's CMYK profile (Little CMS)
/// instead of the naive formula used without one.
public protocol CMYKConvertingSource: ImageSource {
    /// The converter CMYK pixels go through when the file has a CMYK profile; nil: the naive formula.
    var cmykConversion: SRGBConversion? { get set }
}
