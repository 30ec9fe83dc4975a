import CAVIF

/// Encodes thumbnails as AVIF through libavif with libaom's AV1 encoder: 8 bits, YUV 4:2:0 (4:0:0
/// for gray), full range, BT.601 matrix (avifenc's defaults for PNG input), alpha kept as an
/// auxiliary image, the ICC profile in `colr` when it fits. One encoder thread, so the same pixels
/// and settings always give the same bytes, whatever `--jobs` is.
public final class AVIFEncoder: ThumbnailEncoder {
    public init() {}

    /// The AV1 quantiser (0-63, 0 best) for `quality` (1-100): libavif 1.x's own mapping of its
    /// `quality` setting, `((100 - quality) * 63 + 50) / 100`, so 100 gives 0, 75 gives 16 and 1
    /// gives 62. Colour and alpha use the same quantiser.
    public static func quantizer(forQuality quality: Int) -> Int {
        ((100 - min(max(quality, 1), 100)) * 63 + 50) / 100
    }

    public func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8] {
        let profile = iccProfile.flatMap { ICCProfile.fits($0, colorChannels: image.colorChannels) ? $0 : nil }
        return try Self.encode(image, quality: spec.quality, speed: spec.avifSpeed, iccProfile: profile)
    }

    /// The AVIF for `image` at `quality` (1-100, see `quantizer(forQuality:)`) and encoder `speed`
    /// (0 slowest and smallest to 10 fastest), with `iccProfile` in `colr` when given.
    public static func encode(_ image: PixelBuffer, quality: Int, speed: Int, iccProfile: [UInt8]? = nil) throws(CodecError) -> [UInt8] {
        // libavif converts from RGB(A) only: gray is widened to RGB and stored as 4:0:0.
        let rgbaImage = image.colorChannels == 1 ? image.widenedToRGB() : image
        let gray = image.colorChannels == 1
        guard let avif = avifImageCreate(UInt32(image.width), UInt32(image.height), 8,
                                         gray ? AVIF_PIXEL_FORMAT_YUV400 : AVIF_PIXEL_FORMAT_YUV420) else {
            throw .encodeFailed("libavif cannot allocate the image")
        }
        defer { avifImageDestroy(avif) }
        avif.pointee.yuvRange = AVIF_RANGE_FULL
        avif.pointee.matrixCoefficients = UInt16(AVIF_MATRIX_COEFFICIENTS_BT601)
        if let iccProfile, !iccProfile.isEmpty {
            iccProfile.withUnsafeBufferPointer { avifImageSetProfileICC(avif, $0.baseAddress, $0.count) }
        } else {
            // Untagged thumbnails say sRGB in an nclx `colr` box, as avifenc does for PNGs.
            avif.pointee.colorPrimaries = UInt16(AVIF_COLOR_PRIMARIES_BT709)
            avif.pointee.transferCharacteristics = UInt16(AVIF_TRANSFER_CHARACTERISTICS_SRGB)
        }
        var rgb = avifRGBImage()
        avifRGBImageSetDefaults(&rgb, avif)
        rgb.depth = 8
        rgb.format = rgbaImage.hasAlpha ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB
        rgb.rowBytes = UInt32(rgbaImage.stride)
        let converted = rgbaImage.pixels.withUnsafeBufferPointer { pixels -> avifResult in
            rgb.pixels = UnsafeMutablePointer(mutating: pixels.baseAddress)
            return avifImageRGBToYUV(avif, &rgb)
        }
        guard converted == AVIF_RESULT_OK else { throw .encodeFailed(String(cString: avifResultToString(converted))) }

        guard let encoder = avifEncoderCreate() else { throw .encodeFailed("libavif cannot start the encoder") }
        defer { avifEncoderDestroy(encoder) }
        encoder.pointee.codecChoice = AVIF_CODEC_CHOICE_AOM
        encoder.pointee.maxThreads = 1
        encoder.pointee.speed = Int32(min(max(speed, 0), 10))
        let q = Int32(quantizer(forQuality: quality))
        encoder.pointee.minQuantizer = q
        encoder.pointee.maxQuantizer = q
        encoder.pointee.minQuantizerAlpha = q
        encoder.pointee.maxQuantizerAlpha = q
        var output = avifRWData(data: nil, size: 0)
        let written = avifEncoderWrite(encoder, avif, &output)
        defer { avifRWDataFree(&output) }
        guard written == AVIF_RESULT_OK, let data = output.data else {
            throw .encodeFailed(String(cString: avifResultToString(written)))
        }
        return Array(UnsafeBufferPointer(start: data, count: output.size))
    }
}

extension PixelBuffer {
    /// Gray or gray+alpha repeated into RGB or RGBA.
    func widenedToRGB() -> PixelBuffer {
        precondition(colorChannels == 1)
        let out = hasAlpha ? 4 : 3
        var wide = [UInt8](repeating: 0, count: width * height * out)
        for i in 0..<(width * height) {
            let v = pixels[i * channels]
            wide[i * out] = v
            wide[i * out + 1] = v
            wide[i * out + 2] = v
            if hasAlpha { wide[i * out + 3] = pixels[i * channels + 1] }
        }
        return PixelBuffer(width: width, height: height, channels: out, pixels: wide)
    }
}

/// AVIF joins the `--max-bytes` quality search (the quantiser follows `spec.quality`).
extension AVIFEncoder: LossyThumbnailEncoder {}
