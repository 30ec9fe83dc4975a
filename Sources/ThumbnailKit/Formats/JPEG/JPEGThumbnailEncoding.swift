extension JPEGEncoder: ThumbnailEncoder {
    /// The JPEG for `image`: alpha flattened onto `spec.background`, `spec.quality` and
    /// `spec.progressive`, the ICC profile in APP2 segments when it fits the flattened pixels.
    public func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8] {
        let flat = image.flattened(onto: spec.background)
        let bytes = try encode(flat, quality: spec.quality, progressive: spec.progressive)
        guard let profile = iccProfile, ICCProfile.fits(profile, colorChannels: flat.colorChannels) else { return bytes }
        return ICCProfile.embed(profile, inJPEG: bytes)
    }
}

extension JPEGEncoder: LossyThumbnailEncoder {}
