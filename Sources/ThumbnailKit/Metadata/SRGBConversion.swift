import CLCMS2

/// Converts pixels described by an embedded ICC profile to sRGB through Little CMS, for
/// `--icc convert`. One per renderer (one per worker process, or per desktop thread): it keeps the
/// transform of each profile met, so a folder of photos from one camera parses its profile once.
///
/// Fixed choices keep the output deterministic and equal to Pillow's `ImageCms.profileToProfile`
/// with its defaults: the perceptual intent (for matrix/TRC profiles Little CMS falls back to
/// relative colorimetric), no black-point compensation, no threads. RGB goes to Little CMS's
/// built-in sRGB profile; gray stays one channel and goes to a gray profile with sRGB's white (D65)
/// and tone curve, which is what a browser assumes of an untagged gray image. Alpha is copied
/// untouched (the pixels given are straight, not premultiplied). A profile Little CMS cannot parse,
/// or one whose colour space does not match the pixels, gives nil: the caller renders unconverted.
public final class SRGBConversion {
    /// A kept transform: a profile's bytes and the pixel layout it reads.
    private struct Key: Hashable {
        var profile: [UInt8]
        var inputFormat: cmsUInt32Number
        var optimised: Bool
    }

    /// Transforms made so far; nil for a profile that could not be used (not parsed again).
    private var transforms: [Key: cmsHTRANSFORM?] = [:]
    /// The transform used last, found without hashing the profile: a CMYK TIFF asks for its
    /// transform once a row, and hashing a 500 KB profile each time cost seconds a file. The same
    /// array compares equal at once (Swift's `==` sees the shared buffer).
    private var last: (key: Key, transform: cmsHTRANSFORM?)?
    /// Enough for the few profiles of a batch (a camera's, sRGB, Display P3); beyond it the cache
    /// starts afresh rather than growing with a folder of odd files.
    private static let cacheLimit = 16
    /// Results of at most this many pixels use an unoptimised transform (see `toSRGB`).
    static let unoptimisedPixels = 256 * 256

    public init() {}

    deinit {
        for case let transform? in transforms.values { cmsDeleteTransform(transform) }
    }

    /// `image` (1-4 channels, alpha straight) converted from `profile` to sRGB, or nil when the
    /// profile cannot convert these pixels.
    public func toSRGB(_ image: PixelBuffer, from profile: [UInt8]) -> PixelBuffer? {
        let format: cmsUInt32Number
        switch image.channels {
        case 1: format = thumbnail_lcms_GRAY_8
        case 2: format = thumbnail_lcms_GRAYA_8
        case 3: format = thumbnail_lcms_RGB_8
        case 4: format = thumbnail_lcms_RGBA_8
        default: return nil
        }
        // A small result is converted through Little CMS's pipeline as it is: optimising it (a
        // precalculated table, every curve evaluated tens of thousands of times) took about 35 ms
        // a profile, against under a millisecond for a 50x50 thumbnail's pixels unoptimised.
        let optimised = image.width * image.height > Self.unoptimisedPixels
        guard ICCProfile.fits(profile, colorChannels: image.colorChannels),
              let transform = transform(profile, inputFormat: format, outputFormat: format, optimised: optimised) else { return nil }
        var pixels = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBytes { input in
            pixels.withUnsafeMutableBytes { output in
                for y in 0..<image.height {
                    cmsDoTransform(transform, input.baseAddress! + y * image.stride, output.baseAddress! + y * image.stride,
                                   cmsUInt32Number(image.width))
                }
            }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: image.channels, pixels: pixels)
    }

    /// `cmyk` (4 bytes a pixel; `inverted`: Adobe's convention, 255 = no ink) converted through the
    /// CMYK `profile` to sRGB, 3 bytes a pixel; nil when the profile cannot convert them.
    public func cmykToSRGB(_ cmyk: [UInt8], inverted: Bool, profile: [UInt8]) -> [UInt8]? {
        guard Self.isCMYK(profile),
              let transform = transform(profile, inputFormat: inverted ? thumbnail_lcms_CMYK_8_REV : thumbnail_lcms_CMYK_8,
                                        outputFormat: thumbnail_lcms_RGB_8, optimised: true) else { return nil }
        let count = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        cmyk.withUnsafeBytes { input in
            rgb.withUnsafeMutableBytes { output in
                // In bands: cmsDoTransform counts pixels in 32 bits.
                let band = 1 << 20
                var start = 0
                while start < count {
                    let n = min(band, count - start)
                    cmsDoTransform(transform, input.baseAddress! + 4 * start, output.baseAddress! + 3 * start, cmsUInt32Number(n))
                    start += n
                }
            }
        }
        return rgb
    }

    /// True when `profile`'s header names the CMYK colour space.
    public static func isCMYK(_ profile: [UInt8]) -> Bool {
        profile.count >= 20 && Array(profile[16..<20]) == Array("CMYK".utf8)
    }

    /// The kept transform from `profile` (read as `inputFormat`) to sRGB (written as
    /// `outputFormat`), made the first time.
    private func transform(_ profile: [UInt8], inputFormat: cmsUInt32Number, outputFormat: cmsUInt32Number,
                           optimised: Bool) -> cmsHTRANSFORM? {
        if let last, last.key.inputFormat == inputFormat, last.key.optimised == optimised, last.key.profile == profile {
            return last.transform
        }
        let key = Key(profile: profile, inputFormat: inputFormat, optimised: optimised)
        if let kept = transforms[key] {
            last = (key, kept)
            return kept
        }
        if transforms.count >= Self.cacheLimit {
            for case let transform? in transforms.values { cmsDeleteTransform(transform) }
            transforms.removeAll()
            last = nil
        }
        let made = Self.makeTransform(profile, inputFormat: inputFormat, outputFormat: outputFormat, optimised: optimised)
        transforms[key] = made
        last = (key, made)
        return made
    }

    private static func makeTransform(_ profile: [UInt8], inputFormat: cmsUInt32Number, outputFormat: cmsUInt32Number,
                                      optimised: Bool) -> cmsHTRANSFORM? {
        guard let source = profile.withUnsafeBytes({ cmsOpenProfileFromMem($0.baseAddress, cmsUInt32Number($0.count)) }) else {
            return nil
        }
        defer { cmsCloseProfile(source) }
        let gray = outputFormat == thumbnail_lcms_GRAY_8 || outputFormat == thumbnail_lcms_GRAYA_8
        guard let target = gray ? makeSRGBGrayProfile() : cmsCreate_sRGBProfile() else { return nil }
        defer { cmsCloseProfile(target) }
        let hasAlpha = inputFormat == thumbnail_lcms_GRAYA_8 || inputFormat == thumbnail_lcms_RGBA_8
        let flags = (hasAlpha ? cmsUInt32Number(cmsFLAGS_COPY_ALPHA) : 0) | (optimised ? 0 : cmsUInt32Number(cmsFLAGS_NOOPTIMIZE))
        return cmsCreateTransform(source, inputFormat, target, outputFormat, cmsUInt32Number(INTENT_PERCEPTUAL), flags)
    }

    /// A gray profile with sRGB's white point (D65) and tone curve.
    private static func makeSRGBGrayProfile() -> cmsHPROFILE? {
        guard let curve = makeSRGBToneCurve() else { return nil }
        defer { cmsFreeToneCurve(curve) }
        var white = cmsCIExyY(x: d65.x, y: d65.y, Y: 1)
        return cmsCreateGrayProfile(&white, curve)
    }

    /// sRGB's white point, D65, as CIE xy.
    static let d65 = (x: 0.3127, y: 0.3290)

    /// sRGB's tone curve (IEC 61966-2-1) as Little CMS's parametric type 4; the caller frees it.
    static func makeSRGBToneCurve() -> OpaquePointer? {
        var parameters: [cmsFloat64Number] = [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045]
        return cmsBuildParametricToneCurve(nil, 4, &parameters)
    }
}
