/// A HEIF file (HEVC-coded, `.heic`) opened for thumbnailing through libheif: the whole file in
/// memory, its primary image's header read on opening. libheif decodes a whole frame (it cannot
/// decode rows or at a reduced size), whose rows then go into the reducers before it is freed:
/// memory is the decoded frame plus the reducers. `irot`/`imir` are reported as the orientation
/// (so `--no-rotate` keeps the stored order); a file with a `clap` crop is decoded upright by
/// libheif, orientation 1.
public final class HEIFSource: ImageSource {
    public static var signatureLength: Int { HEIFBrand.headLength }

    /// An `ftyp` box whose brands are HEIF's (and not AVIF's).
    public static func matches(_ head: [UInt8]) -> Bool { HEIFBrand.of(head) == .heif }

    private let decoder: HEIFDecoder
    public let header: ImageHeader
    /// Rows of the full-size frame arrive one by one, as from PNG: a whole-number box first.
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }

    public init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        decoder = try HEIFDecoder(data: try FileIO.readAll(path: path))
        header = ImageHeader(width: decoder.width, height: decoder.height, channels: decoder.channels,
                             orientation: decoder.orientation, iccProfile: decoder.colourProfile, frameCount: decoder.imageCount)
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        try SeparableReducer.reduce(plans, channels: decoder.channels) { consume throws(CodecError) in try decoder.readRows(consume) }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        try decoder.readImage()
    }

    /// The bytes are in memory already: fingerprinting them costs no read.
    public func fingerprint() throws(CodecError) -> String {
        FileIO.fingerprint(bytes: decoder.data)
    }
}

/// An AVIF file opened for thumbnailing through libavif (`AVIFDecoder`): dav1d's frame plus a
/// strip of RGB rows in memory, `irot`/`imir` reported as the orientation (so `--no-rotate` keeps
/// the stored order). A file with a `clap` crop, which libavif does not apply, is decoded through
/// libheif as HEIC is.
public final class AVIFSource: ImageSource {
    public static var signatureLength: Int { HEIFBrand.headLength }

    /// An `ftyp` box whose brands are AVIF's.
    public static func matches(_ head: [UInt8]) -> Bool { HEIFBrand.of(head) == .avif }

    private let data: [UInt8]
    private let decoder: AVIFDecoder?
    private let cropped: HEIFDecoder?
    public let header: ImageHeader
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }

    public init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        data = try FileIO.readAll(path: path)
        let avif = try AVIFDecoder(data: data)
        if avif.hasCleanAperture {
            let heif = try HEIFDecoder(data: data)
            decoder = nil
            cropped = heif
            header = ImageHeader(width: heif.width, height: heif.height, channels: heif.channels,
                                 iccProfile: heif.colourProfile, frameCount: avif.imageCount)
        } else {
            decoder = avif
            cropped = nil
            header = ImageHeader(width: avif.width, height: avif.height, channels: avif.channels, orientation: avif.orientation,
                                 iccProfile: avif.colourProfile, frameCount: avif.imageCount)
        }
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        try SeparableReducer.reduce(plans, channels: header.channels) { consume throws(CodecError) in
            if let decoder { try decoder.readRows(consume) } else { try cropped!.readRows(consume) }
        }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        if let decoder { return try decoder.readImage() }
        return try cropped!.readImage()
    }

    /// The bytes are in memory already: fingerprinting them costs no read.
    public func fingerprint() throws(CodecError) -> String {
        FileIO.fingerprint(bytes: data)
    }
}
