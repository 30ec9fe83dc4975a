import CAVIF

/// The first image of an AVIF file, opened through libavif with dav1d on one thread. dav1d's
/// frame is the only whole frame held: it is turned into 8-bit RGB(A) a strip of rows at a time
/// (libavif's own conversion, the one avifdec uses), so memory is that frame plus a strip. Unlike
/// libheif, libavif applies no transformation: `irot`/`imir` become an EXIF orientation, and a
/// `clap` crop is reported (`hasCleanAperture`) for the caller to decode through libheif instead.
final class AVIFDecoder {
    private let decoder: UnsafeMutablePointer<avifDecoder>
    /// The file's bytes, owned here: libavif reads them in place, without copying.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    /// The stored size (before orientation).
    let width: Int
    let height: Int
    let hasAlpha: Bool
    /// The EXIF orientation equal to the `irot` rotation followed by the `imir` mirror.
    let orientation: Int
    let hasCleanAperture: Bool
    let iccProfile: [UInt8]?
    /// The image's CICP (the `nclx` box's, libavif's defaults (unspecified) without one).
    let nclx: NCLXColour
    let imageCount: Int

    init(data: [UInt8]) throws(CodecError) {
        guard let decoder = avifDecoderCreate() else { throw .unsupported("cannot start libavif") }
        self.decoder = decoder
        bytes = UnsafeMutableBufferPointer.allocate(capacity: max(data.count, 1))
        _ = bytes.initialize(from: data)
        // One thread: the worker pool already fills the cores, and each dav1d thread holds
        // buffers of its own (the whole-frame threads measured 150 MB more at 5120x2880).
        decoder.pointee.maxThreads = 1
        decoder.pointee.codecChoice = AVIF_CODEC_CHOICE_DAV1D
        decoder.pointee.ignoreExif = 1
        decoder.pointee.ignoreXMP = 1
        // Files from encoders that leave out a required box (`pixi`, `ispe` of alpha) are read,
        // as browsers and libheif read them.
        decoder.pointee.strictFlags = AVIF_STRICT_DISABLED.rawValue
        var status = avifDecoderSetIOMemory(decoder, bytes.baseAddress, data.count)
        if status == AVIF_RESULT_OK { status = avifDecoderParse(decoder) }
        guard status == AVIF_RESULT_OK, let image = decoder.pointee.image else {
            let error = Self.classify(status, decoder: decoder, decoding: false)
            avifDecoderDestroy(decoder)
            bytes.deallocate()
            throw error
        }
        width = Int(image.pointee.width)
        height = Int(image.pointee.height)
        hasAlpha = decoder.pointee.alphaPresent != 0
        imageCount = Int(decoder.pointee.imageCount)
        let icc = image.pointee.icc
        iccProfile = icc.size > 0 && icc.data != nil ? Array(UnsafeBufferPointer(start: icc.data, count: icc.size)) : nil
        nclx = NCLXColour(primaries: Int(image.pointee.colorPrimaries), transfer: Int(image.pointee.transferCharacteristics),
                          matrix: Int(image.pointee.matrixCoefficients), fullRange: image.pointee.yuvRange == AVIF_RANGE_FULL)
        let flags = image.pointee.transformFlags
        hasCleanAperture = flags & AVIF_TRANSFORM_CLAP.rawValue != 0
        let angle = flags & AVIF_TRANSFORM_IROT.rawValue != 0 ? Int(image.pointee.irot.angle & 3) : 0
        let mirror: Int? = flags & AVIF_TRANSFORM_IMIR.rawValue != 0 ? Int(image.pointee.imir.mode & 1) : nil
        orientation = Self.orientation(angle: angle, mirror: mirror)
        guard width > 0, height > 0 else {
            avifDecoderDestroy(decoder)
            bytes.deallocate()
            throw .badHeader("the image has no size")
        }
    }

    deinit {
        avifDecoderDestroy(decoder)
        bytes.deallocate()
    }

    /// The profile the pixels are in: the ICC profile when there is one (it wins over the CICP,
    /// as in libavif and browsers), else one made from the CICP when that is not sRGB.
    var colourProfile: [UInt8]? { iccProfile ?? nclx.iccProfile }

    /// Channels the rows hold: RGB, or RGBA with alpha (gray comes as RGB).
    var channels: Int { hasAlpha ? 4 : 3 }

    /// The EXIF orientation of `irot` (a quarter turns anticlockwise) then `imir` (`mirror` 1:
    /// left and right exchanged, 0: top and bottom; nil: none), which HEIF applies in that order.
    static func orientation(angle: Int, mirror: Int?) -> Int {
        switch mirror {
        case nil: return [1, 8, 3, 6][angle & 3]
        case 1: return [2, 7, 4, 5][angle & 3]
        default: return [4, 5, 2, 7][angle & 3]
        }
    }

    /// Decodes the image and hands its rows, as 8-bit RGB(A), to `body` top to bottom
    /// (`width * channels` bytes).
    func readRows(_ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        let status = avifDecoderNextImage(decoder)
        guard status == AVIF_RESULT_OK, let image = decoder.pointee.image else {
            throw Self.classify(status, decoder: decoder, decoding: true)
        }
        guard Int(image.pointee.width) == width, Int(image.pointee.height) == height else {
            throw .corrupt("libavif decoded an image of another size than its header's")
        }
        try YCbCrStrips.readRows(of: image, channels: channels, { Self.classify($0, decoder: decoder, decoding: true) }, body)
    }

    /// The whole image, decoded, in stored orientation.
    func readImage() throws(CodecError) -> PixelBuffer {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * channels)
        let rowBytes = width * channels
        try readRows { row in pixels.append(contentsOf: UnsafeBufferPointer(start: row, count: rowBytes)) }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// libavif's result as the reason a file failed, with its diagnostic when it gives one.
    static func classify(_ result: avifResult, decoder: UnsafeMutablePointer<avifDecoder>, decoding: Bool) -> CodecError {
        let diagnostic = withUnsafeBytes(of: decoder.pointee.diag.error) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = String(cString: avifResultToString(result))
        let message = diagnostic.isEmpty ? name : "\(name): \(diagnostic)"
        switch result {
        case AVIF_RESULT_TRUNCATED_DATA:
            return .truncated("the file ends before the image does (libavif: \(message))")
        case AVIF_RESULT_BMFF_PARSE_FAILED where diagnostic.contains("sizeHint"):
            // A box that claims more bytes than the file has left: the file was cut.
            return .truncated("the file ends before the image does (libavif: \(message))")
        case AVIF_RESULT_NOT_IMPLEMENTED, AVIF_RESULT_UNSUPPORTED_DEPTH, AVIF_RESULT_NO_CODEC_AVAILABLE:
            return .unsupported(message)
        case AVIF_RESULT_DECODE_COLOR_FAILED, AVIF_RESULT_DECODE_ALPHA_FAILED:
            return .corrupt(message)
        default:
            return decoding ? .corrupt(message) : .badHeader(message)
        }
    }
}
