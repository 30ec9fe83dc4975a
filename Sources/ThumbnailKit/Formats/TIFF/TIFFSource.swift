/// A TIFF file opened for thumbnailing: libtiff reads the first page's tags; its rows (from strips
/// or from one row of tiles at a time) then go straight into the reducers, so no page is ever held.
public final class TIFFSource: ImageSource {
    public static let signatureLength = 4

    /// Classic ("II*\0", "MM\0*") and BigTIFF ("II+\0", "MM\0+") byte-order marks and versions.
    public static func matches(_ head: [UInt8]) -> Bool {
        [[0x49, 0x49, 0x2A, 0x00], [0x4D, 0x4D, 0x00, 0x2A], [0x49, 0x49, 0x2B, 0x00], [0x4D, 0x4D, 0x00, 0x2B]]
            .contains { head.starts(with: $0) }
    }

    private let path: String
    private let decoder: TIFFDecoder
    public let header: ImageHeader
    /// libtiff cannot shrink while decoding; the box sums cost far less than the resampler.
    public var shrinkOnLoad: ShrinkOnLoad { .wholeBox }
    /// Under `--icc convert`, a CMYK page with a CMYK profile is converted through it, row by row.
    public var cmykConversion: SRGBConversion? {
        didSet { decoder.cmykProfile = cmykProfile }
    }

    public init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError) {
        self.path = path
        decoder = try TIFFDecoder(path: path)
        header = ImageHeader(width: decoder.width, height: decoder.height, channels: decoder.channels,
                             orientation: decoder.orientation, iccProfile: decoder.iccProfile, frameCount: decoder.pageCount)
    }

    public func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        try SeparableReducer.reduce(plans, channels: decoder.channels) { consume throws(CodecError) in try decoder.readRows(consume) }
    }

    public func decodeWhole() throws(CodecError) -> PixelBuffer {
        let stride = decoder.width * decoder.channels
        var pixels = [UInt8](repeating: 0, count: stride * decoder.height)
        var y = 0
        try decoder.readRows { row in
            pixels.withUnsafeMutableBufferPointer { ($0.baseAddress! + y * stride).update(from: row, count: stride) }
            y += 1
        }
        return PixelBuffer(width: decoder.width, height: decoder.height, channels: decoder.channels, pixels: pixels)
    }

    /// The file read again, in chunks: a TIFF can be far larger than memory should hold.
    public func fingerprint() throws(CodecError) -> String {
        try FileIO.fingerprint(path: path)
    }
}

extension TIFFSource: CMYKConvertingSource {}
