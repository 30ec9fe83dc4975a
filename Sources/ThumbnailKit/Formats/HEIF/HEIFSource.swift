/// A HEIF file (HEVC-coded, `.heic`) opened for thumbnailing through libheif: the whole file in
/// memory, its primary image's header read on opening. libheif decodes a whole frame (it cannot
/// decode rows or at a reduced size), whose rows then go into the reducers before it is freed:
/// memory is the decoded frame plus the reducers. Orientation (`irot`, `imir`) is applied by
/// libheif while decoding, so the header reports the upright size and orientation 1, and
/// `--no-rotate` does not apply to these files.
public class HEIFSource: ImageSource {
    public static var signatureLength: Int { HEIFBrand.headLength }

    /// An `ftyp` box whose brands are HEIF's (and not AVIF's).
    public class func matches(_ head: [UInt8]) -> Bool { HEIFBrand.of(head) == .heif }

    private let decoder: HEIFDecoder
    public let header: ImageHeader
    /// Rows of the full-size frame arrive one by one, as from PNG: a whole-number box first.
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }

    public required init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        decoder = try HEIFDecoder(data: try FileIO.readAll(path: path))
        header = ImageHeader(width: decoder.width, height: decoder.height, channels: decoder.channels,
                             iccProfile: decoder.iccProfile, frameCount: decoder.imageCount)
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let reducers = plans.map { SeparableReducer(plan: $0, channels: decoder.channels) }
        try decoder.readRows { row in
            for reducer in reducers { reducer.consume(row: row) }
        }
        return reducers.map { $0.finish() }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        try decoder.readImage()
    }

    /// The bytes are in memory already: fingerprinting them costs no read.
    public func fingerprint() throws(CodecError) -> String {
        FileIO.fingerprint(bytes: decoder.data)
    }
}

/// An AVIF file opened for thumbnailing: read through libheif (AV1 through dav1d) exactly as HEIF
/// is; its own type only so that the format table tells the two apart by their brands.
public final class AVIFSource: HEIFSource {
    /// An `ftyp` box whose brands are AVIF's.
    public override class func matches(_ head: [UInt8]) -> Bool { HEIFBrand.of(head) == .avif }
}
