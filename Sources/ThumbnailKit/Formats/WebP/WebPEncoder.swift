import CWebP

/// Encodes thumbnails as WebP through libwebp: lossy at `--quality` (libwebp's default method 4,
/// as cwebp and Pillow use) or `--lossless`; alpha kept; gray written as RGB (WebP has no gray);
/// the ICC profile in an ICCP chunk, added by libwebpmux. Single-threaded, so the bytes never
/// depend on scheduling.
public final class WebPEncoder: ThumbnailEncoder {
    public init() {}

    public func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8] {
        let bitstream = try Self.encode(image, quality: spec.quality, lossless: spec.lossless)
        guard let profile = iccProfile, ICCProfile.fits(profile, colorChannels: 3) else { return bitstream }
        return try Self.embed(profile, in: bitstream)
    }

    /// The WebP file for `image` (1 to 4 channels): lossy at `quality` (1-100), or lossless.
    public static func encode(_ image: PixelBuffer, quality: Int, lossless: Bool) throws(CodecError) -> [UInt8] {
        var config = WebPConfig()
        guard WebPConfigInit(&config) != 0 else { throw .encodeFailed("libwebp's encoder version does not match") }
        config.quality = Float(quality)
        config.lossless = lossless ? 1 : 0
        config.thread_level = 0
        guard WebPValidateConfig(&config) != 0 else { throw .encodeFailed("invalid WebP settings") }

        let rgb = Self.colour(image)
        var picture = WebPPicture()
        guard WebPPictureInit(&picture) != 0 else { throw .encodeFailed("libwebp's encoder version does not match") }
        defer { WebPPictureFree(&picture) }
        picture.width = Int32(rgb.width)
        picture.height = Int32(rgb.height)
        // Lossless works on ARGB; lossy on YUV, converted from RGB on import.
        picture.use_argb = lossless ? 1 : 0
        let imported = rgb.pixels.withUnsafeBufferPointer { pixels in
            rgb.channels == 4 ? WebPPictureImportRGBA(&picture, pixels.baseAddress, Int32(rgb.stride))
                              : WebPPictureImportRGB(&picture, pixels.baseAddress, Int32(rgb.stride))
        }
        guard imported != 0 else { throw .encodeFailed("libwebp cannot take the pixels (out of memory)") }

        var writer = WebPMemoryWriter()
        WebPMemoryWriterInit(&writer)
        defer { WebPMemoryWriterClear(&writer) }
        picture.writer = WebPMemoryWrite
        let encoded = withUnsafeMutablePointer(to: &writer) { writerPointer in
            picture.custom_ptr = UnsafeMutableRawPointer(writerPointer)
            return WebPEncode(&config, &picture)
        }
        guard encoded != 0, let memory = writer.mem else {
            throw .encodeFailed("libwebp error \(picture.error_code.rawValue)")
        }
        return Array(UnsafeBufferPointer(start: memory, count: writer.size))
    }

    /// `webp` with `profile` in an ICCP chunk (the container becomes the extended VP8X form).
    static func embed(_ profile: [UInt8], in webp: [UInt8]) throws(CodecError) -> [UInt8] {
        guard let mux = WebPMuxNew() else { throw .encodeFailed("libwebpmux cannot start") }
        defer { WebPMuxDelete(mux) }
        var output = WebPData()
        defer { WebPDataClear(&output) }
        let status = webp.withUnsafeBufferPointer { image in
            profile.withUnsafeBufferPointer { icc in
                var imageData = WebPData(bytes: image.baseAddress, size: image.count)
                var iccData = WebPData(bytes: icc.baseAddress, size: icc.count)
                // copy_data 0: the mux points into these buffers, which outlive Assemble.
                var status = WebPMuxSetImage(mux, &imageData, 0)
                if status == WEBP_MUX_OK { status = WebPMuxSetChunk(mux, "ICCP", &iccData, 0) }
                if status == WEBP_MUX_OK { status = WebPMuxAssemble(mux, &output) }
                return status
            }
        }
        guard status == WEBP_MUX_OK, let bytes = output.bytes else {
            throw .encodeFailed("libwebpmux error \(status.rawValue)")
        }
        return Array(UnsafeBufferPointer(start: bytes, count: output.size))
    }

    /// `image` as RGB or RGBA: gray samples repeated in the three colour channels.
    static func colour(_ image: PixelBuffer) -> PixelBuffer {
        guard image.channels <= 2 else { return image }
        let hasAlpha = image.channels == 2
        let channels = hasAlpha ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: image.width * image.height * channels)
        for i in 0..<(image.width * image.height) {
            let gray = image.pixels[i * image.channels]
            pixels[i * channels] = gray
            pixels[i * channels + 1] = gray
            pixels[i * channels + 2] = gray
            if hasAlpha { pixels[i * channels + 3] = image.pixels[i * 2 + 1] }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: channels, pixels: pixels)
    }
}

/// Lossy WebP joins the `--max-bytes` quality search (the quality is `spec.quality`); lossless
/// WebP has none to search.
extension WebPEncoder: LossyThumbnailEncoder {
    public static func searchesQuality(_ spec: ThumbnailSpec) -> Bool { !spec.lossless }
}
