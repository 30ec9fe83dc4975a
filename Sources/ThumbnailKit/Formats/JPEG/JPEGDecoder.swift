import CTurboJPEG

/// What a JPEG's headers say, read without decoding any pixel.
public struct JPEGHeader: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// TurboJPEG's colour space (`TJCS_*`).
    public var colorspace: Int32
    /// TurboJPEG's chroma subsampling (`TJSAMP_*`).
    public var subsampling: Int32

    /// Channels `JPEGDecoder.decode` gives: 1 for gray, 3 (RGB) for colour, CMYK and YCCK.
    public var channels: Int { colorspace == Int32(TJCS_GRAY.rawValue) ? 1 : 3 }
}

/// Decodes JPEGs through TurboJPEG, at a DCT scale (shrink-on-load). Keeps its TurboJPEG handle for
/// the life of the worker, except after a failure: libjpeg-turbo 2.1 leaves a handle whose header
/// read failed in a state where the next file fails too ("two SOI markers"), so a fresh one is made.
public final class JPEGDecoder {
    private var handle: tjhandle
    /// The warning libjpeg-turbo gave on the last decode (damaged data it decoded anyway), or nil.
    public private(set) var lastWarning: String?

    public init() throws(CodecError) {
        guard let handle = tjInitDecompress() else { throw .unsupported("cannot start the JPEG decoder") }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    private var lastError: String { String(cString: tjGetErrorStr2(handle)) }

    /// True when the failure just reported is only a warning: the pixels are all there. TurboJPEG
    /// 2.1's error code alone cannot say: once a warning has been seen ("extraneous bytes before
    /// marker"), a later fatal error ("Quantization table 0x01 was not defined") is reported with
    /// the warning's code, and the buffer then holds nothing (that was the all-black "ok"). Its
    /// message is the last one, so the message decides: libjpeg's warnings (`JWRN_*` in
    /// jerror.h) are these few texts; anything else is fatal.
    private func isWarning() -> Bool {
        guard tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else { return false }
        let message = lastError
        return Self.warningMessages.contains { message.hasPrefix($0) }
    }

    /// The beginnings of libjpeg-turbo 2.1's warning messages (`JWRN_*`).
    static let warningMessages = [
        "Corrupt JPEG data",  // bad Huffman/arithmetic code, extraneous bytes, premature end of segment, RST
        "Premature end of JPEG file",
        "Warning: unknown JFIF revision",
        "Inconsistent progression sequence",
        "Invalid SOS parameters for sequential JPEG",
        "Unknown Adobe color transform",
        "Application transferred too many scanlines",
    ]

    /// Replaces the handle after a failure.
    private func reset() {
        if let fresh = tjInitDecompress() {
            tjDestroy(handle)
            handle = fresh
        }
    }

    /// Reads the frame header of the JPEG in `data`: the start of a new image, on a fresh handle.
    /// libjpeg keeps quantisation and Huffman tables across images in one decompressor (for
    /// abbreviated datastreams), so a file missing a table would borrow the previous file's and
    /// render differently depending on which image the worker decoded before; a fresh handle
    /// (microseconds) makes each image decode alone.
    public func readHeader(_ data: [UInt8]) throws(CodecError) -> JPEGHeader {
        reset()
        lastWarning = nil
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = data.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(data.count), &width, &height, &subsampling, &colorspace)
        }
        // A warning (stray bytes before a marker, say) still gives a usable header: djpeg and
        // Pillow go on to decode such files, and so do we.
        let warning = status != 0 && isWarning() && width > 0 && height > 0
        guard status == 0 || warning else {
            let message = lastError
            reset()
            if message.contains("data precision") {
                // 12-bit (and 16-bit lossless) JPEGs: libjpeg-turbo's 8-bit API cannot decode them.
                throw .unsupported("\(message) (only 8-bit JPEGs are rendered)")
            }
            throw .badHeader(message)
        }
        // libjpeg-turbo can "succeed" on a damaged file whose frame header it never found.
        guard width > 0, height > 0 else {
            reset()
            throw .badHeader("no usable frame header (\(width)x\(height))")
        }
        return JPEGHeader(width: Int(width), height: Int(height), colorspace: colorspace, subsampling: subsampling)
    }

    /// Decodes `data` at `eighths`/8 of its size (TurboJPEG's scaled IDCT). Gray JPEGs give one
    /// channel; colour, CMYK and YCCK ones three (RGB): CMYK through `cmykProfile` (a CMYK ICC
    /// profile, by Little CMS) when given and usable, else by the naive formula.
    public func decode(_ data: [UInt8], header: JPEGHeader, eighths: Int,
                       cmykProfile: (profile: [UInt8], conversion: SRGBConversion)? = nil) throws(CodecError) -> PixelBuffer {
        let width = ShrinkPlan.scaled(header.width, eighths)
        let height = ShrinkPlan.scaled(header.height, eighths)
        let isGray = header.colorspace == Int32(TJCS_GRAY.rawValue)
        let isCMYK = header.colorspace == Int32(TJCS_CMYK.rawValue) || header.colorspace == Int32(TJCS_YCCK.rawValue)
        let format: TJPF = isGray ? TJPF_GRAY : (isCMYK ? TJPF_CMYK : TJPF_RGB)
        let decodedChannels = isGray ? 1 : (isCMYK ? 4 : 3)
        var status: Int32 = 0
        var fatal = false
        lastWarning = nil
        // TurboJPEG writes every byte when it returns success or a warning: no need to zero the
        // buffer first. After a fatal error the buffer is never read.
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * decodedChannels) { output, count in
            status = data.withUnsafeBufferPointer { input in
                // Width and height are the scaled ones: TurboJPEG picks the scaling factor from them.
                tjDecompress2(handle, input.baseAddress, UInt(data.count), output.baseAddress,
                              Int32(width), 0, Int32(height), Int32(format.rawValue), 0)
            }
            fatal = status != 0 && !isWarning()
            count = fatal ? 0 : output.count
        }
        if status != 0 {
            let message = lastError
            reset()
            if fatal {
                throw .corrupt(message)
            }
            // A warning: libjpeg-turbo decoded every pixel it could, as djpeg and Pillow show them
            // (stray bytes before a marker, a damaged Huffman code: a few wrong blocks at worst).
            // A file that ended early is refused, as Pillow refuses it: the rest would be grey.
            if message.contains("Premature end") {
                throw .truncated(message)
            }
            lastWarning = message
        }
        if isCMYK {
            let inverted = Self.hasAdobeMarker(data)
            // The whole decoded frame, not the small result: the reducer's channels are gray or
            // RGB(A), and CMYK is not linear in RGB, so it cannot be reduced first and converted after.
            let converted = cmykProfile.flatMap { $0.conversion.cmykToSRGB(pixels, inverted: inverted, profile: $0.profile) }
            return PixelBuffer(width: width, height: height, channels: 3,
                               pixels: converted ?? Self.cmykToRGB(pixels, inverted: inverted))
        }
        return PixelBuffer(width: width, height: height, channels: decodedChannels, pixels: pixels)
    }

    /// CMYK (or YCCK, which TurboJPEG turns into CMYK) to RGB by the naive formula every viewer
    /// uses without a CMYK profile. Adobe's files store the inks inverted (255 = no ink).
    static func cmykToRGB(_ cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let count = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: count * 3)
        for i in 0..<count {
            var c = Int(cmyk[4 * i]), m = Int(cmyk[4 * i + 1]), y = Int(cmyk[4 * i + 2]), k = Int(cmyk[4 * i + 3])
            if !inverted {
                c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k
            }
            rgb[3 * i] = UInt8((c * k + 127) / 255)
            rgb[3 * i + 1] = UInt8((m * k + 127) / 255)
            rgb[3 * i + 2] = UInt8((y * k + 127) / 255)
        }
        return rgb
    }

    /// True when the JPEG carries an Adobe APP14 segment (whose CMYK is stored inverted).
    static func hasAdobeMarker(_ data: [UInt8]) -> Bool {
        JPEGMarkers.segments(data).contains { $0.marker == 0xEE && data[$0.payload].starts(with: Array("Adobe".utf8)) }
    }
}
