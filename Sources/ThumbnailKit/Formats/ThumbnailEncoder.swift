/// Writes thumbnails in one format: the seam every output format plugs into. One encoder serves a
/// worker's every image, so it may keep codec handles.
public protocol ThumbnailEncoder: AnyObject {
    init() throws(CodecError)

    /// The encoded file for `image` (1 to 4 channels, upright) under `spec`'s settings, carrying
    /// `iccProfile` (the source's, nil when dropped) when it still fits the pixels written. No
    /// timestamps: the same pixels and settings always give the same bytes.
    func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8]
}
