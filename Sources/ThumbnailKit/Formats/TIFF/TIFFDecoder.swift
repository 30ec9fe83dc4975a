#if canImport(Glibc)
import Glibc
#endif
import CTIFF

/// Decodes the first page of a TIFF through libtiff, one row at a time, so a huge TIFF never needs
/// a whole page in memory: strips one at a time (`TIFFReadEncodedStrip`, or `TIFFReadScanline`
/// for a strip over 16 MB), tiles one row of tiles at a time.
///
/// Read directly (samples converted here): 8- and 16-bit unsigned samples, pixel-interleaved, of
/// gray (min-is-black and min-is-white), 8-bit palette, RGB, CMYK (the naive formula, as for JPEG
/// CMYK) and JPEG-compressed YCbCr (libtiff's JPEG codec gives RGB), each with associated
/// (premultiplied) or unassociated alpha from ExtraSamples. Everything else libtiff can render
/// (1-, 2- and 4-bit samples, separate planes, other YCbCr, CIE Lab, Old JPEG) goes through
/// libtiff's own RGBA conversion (`TIFFRGBAImageGet`), still a band of rows at a time; what that
/// refuses too (floating-point samples, say) fails with libtiff's reason. 16-bit samples are rounded
/// to 8 bits.
final class TIFFDecoder {
    let width: Int
    let height: Int
    /// Channels a row holds: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    let channels: Int
    /// The Orientation tag (274), 1-8.
    let orientation: Int
    let iccProfile: [UInt8]?
    /// Directories (pages) in the file.
    let pageCount: Int

    private let tiff: OpaquePointer
    private let messages: TIFFMessages
    private let layout: Layout
    private var rowsRead = false
    /// A CMYK page's samples go through this CMYK profile (Little CMS) instead of the naive
    /// formula, when set (`--icc convert`) and usable.
    var cmykProfile: (profile: [UInt8], conversion: SRGBConversion)?

    /// How the first page's samples are turned into rows of `channels` bytes.
    private enum Layout {
        case direct(Direct)
        /// libtiff's RGBA conversion; `gray`: keep one channel (R) of an opaque gray page.
        case rgba(gray: Bool, alpha: Bool)
    }

    /// The samples of a page read directly.
    private struct Direct {
        enum Colour { case gray, grayInverted, palette, rgb, cmyk }
        var colour: Colour
        var samplesPerPixel: Int
        var bitsPerSample: Int
        /// The sample holding alpha, if any.
        var alphaSample: Int?
        var premultiplied: Bool
        /// 256 RGB entries of an 8-bit palette.
        var palette: [UInt8]
        var colourSamples: Int {
            switch colour {
            case .gray, .grayInverted, .palette: return 1
            case .rgb: return 3
            case .cmyk: return 4
            }
        }
    }

    /// Opens `path` and reads the first page's tags, without decoding pixels.
    init(path: String) throws(CodecError) {
        _ = TIFFMessages.silenceGlobalHandlers
        let messages = TIFFMessages()
        self.messages = messages
        let fd = try FileIO.openRegularFile(path)
        let options = TIFFOpenOptionsAlloc()
        defer { TIFFOpenOptionsFree(options) }
        TIFFOpenOptionsSetErrorHandlerExtR(options, TIFFMessages.errorHandler, Unmanaged.passUnretained(messages).toOpaque())
        TIFFOpenOptionsSetWarningHandlerExtR(options, TIFFMessages.warningHandler, nil)
        // A hostile header asking for a huge buffer is refused instead of allocated.
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, 256 << 20)
        // "m": read(), not mmap: mapped pages of a large file would count in the process's memory.
        guard let tiff = TIFFFdOpenExt(fd, path, "rm", options) else {
            close(fd)
            throw Self.classify(messages.reason("not a readable TIFF"), reading: false)
        }
        self.tiff = tiff
        let width = Int(Self.field(tiff, TIFFTAG_IMAGEWIDTH, UInt32(0)) ?? 0)
        let height = Int(Self.field(tiff, TIFFTAG_IMAGELENGTH, UInt32(0)) ?? 0)
        guard width > 0 && height > 0 else {
            TIFFClose(tiff)
            throw .badHeader("the TIFF's first page is \(width)x\(height) pixels")
        }
        self.width = width
        self.height = height
        let orientation = Int(Self.field(tiff, TIFFTAG_ORIENTATION, UInt16(1), defaulted: true) ?? 1)
        self.orientation = (1...8).contains(orientation) ? orientation : 1
        iccProfile = Self.iccProfile(tiff)
        pageCount = max(1, Int(TIFFNumberOfDirectories(tiff)))
        let layout: Layout
        do {
            layout = try Self.layout(tiff, messages: messages)
        } catch {
            TIFFClose(tiff)
            throw error
        }
        self.layout = layout
        switch layout {
        case .direct(let direct):
            let colour = direct.colour == .gray || direct.colour == .grayInverted ? 1 : 3
            channels = colour + (direct.alphaSample == nil ? 0 : 1)
        case .rgba(let gray, let alpha):
            channels = alpha ? 4 : (gray ? 1 : 3)
        }
    }

    deinit { TIFFClose(tiff) }

    /// A scalar tag's value (TIFFGetField, or TIFFGetFieldDefaulted), nil when absent.
    private static func field<Value: CVarArg>(_ tiff: OpaquePointer, _ tag: Int32, _ initial: Value, defaulted: Bool = false) -> Value? {
        var value = initial
        let found = withUnsafeMutablePointer(to: &value) { pointer in
            withVaList([pointer]) { defaulted ? TIFFVGetFieldDefaulted(tiff, UInt32(tag), $0) : TIFFVGetField(tiff, UInt32(tag), $0) }
        }
        return found == 1 ? value : nil
    }

    private static func iccProfile(_ tiff: OpaquePointer) -> [UInt8]? {
        var count: UInt32 = 0
        var data: UnsafeMutableRawPointer?
        let found = withUnsafeMutablePointer(to: &count) { countPointer in
            withUnsafeMutablePointer(to: &data) { dataPointer in
                withVaList([countPointer, dataPointer]) { TIFFVGetField(tiff, UInt32(TIFFTAG_ICCPROFILE), $0) }
            }
        }
        guard found == 1, let data, count > 0 else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(count)))
    }

    /// The types of the extra samples (ExtraSamples), nil when the tag is absent.
    private static func extraSampleTypes(_ tiff: OpaquePointer) -> [Int]? {
        var count: UInt16 = 0
        var types: UnsafeMutablePointer<UInt16>?
        let found = withUnsafeMutablePointer(to: &count) { countPointer in
            withUnsafeMutablePointer(to: &types) { typesPointer in
                withVaList([countPointer, typesPointer]) { TIFFVGetField(tiff, UInt32(TIFFTAG_EXTRASAMPLES), $0) }
            }
        }
        guard found == 1, let types else { return nil }
        return (0..<Int(count)).map { Int(types[$0]) }
    }

    /// The colour map as 256 RGB entries (each 16-bit value's high byte, as Pillow reads it).
    private static func palette(_ tiff: OpaquePointer) -> [UInt8]? {
        var red: UnsafeMutablePointer<UInt16>?, green: UnsafeMutablePointer<UInt16>?, blue: UnsafeMutablePointer<UInt16>?
        let found = withUnsafeMutablePointer(to: &red) { r in
            withUnsafeMutablePointer(to: &green) { g in
                withUnsafeMutablePointer(to: &blue) { b in
                    withVaList([r, g, b]) { TIFFVGetField(tiff, UInt32(TIFFTAG_COLORMAP), $0) }
                }
            }
        }
        guard found == 1, let red, let green, let blue else { return nil }
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        for i in 0..<256 {
            palette[3 * i] = UInt8(red[i] >> 8)
            palette[3 * i + 1] = UInt8(green[i] >> 8)
            palette[3 * i + 2] = UInt8(blue[i] >> 8)
        }
        return palette
    }

    /// Decides how the first page is read: directly when its samples are of a kind converted
    /// here, else through libtiff's RGBA conversion when libtiff can render it.
    private static func layout(_ tiff: OpaquePointer, messages: TIFFMessages) throws(CodecError) -> Layout {
        let samples = Int(field(tiff, TIFFTAG_SAMPLESPERPIXEL, UInt16(1), defaulted: true) ?? 1)
        let bits = Int(field(tiff, TIFFTAG_BITSPERSAMPLE, UInt16(1), defaulted: true) ?? 1)
        let format = Int32(field(tiff, TIFFTAG_SAMPLEFORMAT, UInt16(1), defaulted: true) ?? 1)
        let planar = Int32(field(tiff, TIFFTAG_PLANARCONFIG, UInt16(1), defaulted: true) ?? 1)
        let compression = Int32(field(tiff, TIFFTAG_COMPRESSION, UInt16(1), defaulted: true) ?? 1)
        var photometric = field(tiff, TIFFTAG_PHOTOMETRIC, UInt16(0)).map { Int32($0) }
        if photometric == nil {
            // No PhotometricInterpretation (old or damaged files): one sample is white-is-zero,
            // as Pillow reads it (libtiff alone would guess black-is-zero), more are RGB. Set on
            // the page so that libtiff's RGBA reader agrees.
            let guess = samples == 1 ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_RGB
            if withVaList([guess], { TIFFVSetField(tiff, UInt32(TIFFTAG_PHOTOMETRIC), $0) }) == 1 { photometric = guess }
        }
        let inkSet = Int32(field(tiff, TIFFTAG_INKSET, UInt16(1), defaulted: true) ?? 1)
        if photometric == PHOTOMETRIC_YCBCR && compression == COMPRESSION_JPEG {
            // libtiff's JPEG codec converts YCbCr (subsampled or not) to RGB as it decodes.
            let set = withVaList([JPEGCOLORMODE_RGB]) { TIFFVSetField(tiff, UInt32(TIFFTAG_JPEGCOLORMODE), $0) }
            if set == 1 { photometric = PHOTOMETRIC_RGB }
        }
        let colour: Direct.Colour?
        switch photometric {
        case PHOTOMETRIC_MINISBLACK: colour = .gray
        case PHOTOMETRIC_MINISWHITE: colour = .grayInverted
        case PHOTOMETRIC_PALETTE: colour = bits == 8 ? .palette : nil
        case PHOTOMETRIC_RGB: colour = .rgb
        case PHOTOMETRIC_SEPARATED: colour = inkSet == INKSET_CMYK ? .cmyk : nil
        default: colour = nil
        }
        if let colour, bits == 8 || bits == 16, format == SAMPLEFORMAT_UINT, planar == PLANARCONFIG_CONTIG || samples == 1 {
            var direct = Direct(colour: colour, samplesPerPixel: samples, bitsPerSample: bits, alphaSample: nil,
                                premultiplied: false, palette: [])
            if samples >= direct.colourSamples {
                if samples > direct.colourSamples {
                    // The first extra sample is alpha when ExtraSamples says so, or (as Pillow
                    // reads such files) when the tag is missing.
                    let kind = extraSampleTypes(tiff)?.first.map { Int32($0) } ?? EXTRASAMPLE_UNASSALPHA
                    if kind == EXTRASAMPLE_ASSOCALPHA || kind == EXTRASAMPLE_UNASSALPHA {
                        direct.alphaSample = direct.colourSamples
                        direct.premultiplied = kind == EXTRASAMPLE_ASSOCALPHA
                    }
                }
                if colour == .palette {
                    guard let palette = palette(tiff) else { throw .badHeader("a palette TIFF without a colour map") }
                    direct.palette = palette
                }
                return .direct(direct)
            }
        }
        var why = [CChar](repeating: 0, count: 1024)
        guard why.withUnsafeMutableBufferPointer({ TIFFRGBAImageOK(tiff, $0.baseAddress) }) == 1 else {
            let text = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unsupported("libtiff: \(text.isEmpty ? messages.reason("cannot render this TIFF") : text)")
        }
        let extra = extraSampleTypes(tiff)?.first.map { Int32($0) }
        let alpha = extra == EXTRASAMPLE_ASSOCALPHA || extra == EXTRASAMPLE_UNASSALPHA
        let gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE
        return .rgba(gray: gray, alpha: alpha)
    }

    /// Hands every row of the first page (`width * channels` bytes) to `body`, top to bottom.
    /// Once only.
    func readRows(_ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        precondition(!rowsRead, "a TIFF's rows are read once")
        rowsRead = true
        messages.reset()
        switch layout {
        case .direct(let direct):
            if TIFFIsTiled(tiff) != 0 {
                try readTiles(direct, body)
            } else {
                try readStrips(direct, body)
            }
        case .rgba(let gray, let alpha):
            try readRGBA(gray: gray, alpha: alpha, body)
        }
    }

    /// Strips up to this size are decoded whole (`TIFFReadEncodedStrip`), larger ones a scanline
    /// at a time.
    static let wholeStripLimit = 16 << 20

    /// Strips decoded whole when they are small, as Pillow and libtiff's RGBA reader decode them:
    /// on damaged data (a PackBits run crossing a row, say) a decoder fed one row at a time and
    /// one fed the strip produce different garbage, and the reference's is the strip's.
    private func readStrips(_ direct: Direct, _ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        let scanline = Int(TIFFScanlineSize(tiff))
        let stripBytes = Int(TIFFStripSize(tiff))
        let rowsPerStrip = Int(Self.field(tiff, TIFFTAG_ROWSPERSTRIP, UInt32(0), defaulted: true) ?? 0)
        let strips = Int(TIFFNumberOfStrips(tiff))
        guard stripBytes > 0 && stripBytes <= Self.wholeStripLimit && rowsPerStrip > 0 && scanline > 0
                && stripBytes >= min(rowsPerStrip, height) * scanline
                && strips >= (height + rowsPerStrip - 1) / rowsPerStrip else {
            return try readScanlines(direct, body)
        }
        guard scanline >= width * direct.samplesPerPixel * direct.bitsPerSample / 8 else {
            throw .corrupt(messages.reason("scanline size \(scanline) too small for the page"))
        }
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: stripBytes, alignment: 16)
        defer { raw.deallocate() }
        var row = [UInt8](repeating: 0, count: width * channels)
        for top in stride(from: 0, to: height, by: rowsPerStrip) {
            let rows = min(rowsPerStrip, height - top)
            let strip = UInt32(top / rowsPerStrip)
            let read = TIFFReadEncodedStrip(tiff, strip, raw.baseAddress, tmsize_t(rows * scanline))
            guard read >= 0 else {
                throw Self.classify(messages.reason("cannot read strip \(strip)"), reading: true)
            }
            guard read >= rows * scanline else {
                throw .truncated("the file ends before the image does (strip \(strip) holds \(read) of \(rows * scanline) bytes)")
            }
            try failOnReportedError()
            for r in 0..<rows {
                row.withUnsafeMutableBufferPointer {
                    convert(direct, UnsafeRawPointer(raw.baseAddress! + r * scanline), into: $0.baseAddress!)
                }
                row.withUnsafeBufferPointer { body($0.baseAddress!) }
            }
        }
    }

    private func readScanlines(_ direct: Direct, _ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        let size = Int(TIFFScanlineSize(tiff))
        guard size >= width * direct.samplesPerPixel * direct.bitsPerSample / 8 else {
            throw .corrupt(messages.reason("scanline size \(size) too small for the page"))
        }
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { raw.deallocate() }
        var row = [UInt8](repeating: 0, count: width * channels)
        for y in 0..<height {
            guard TIFFReadScanline(tiff, raw.baseAddress, UInt32(y), 0) == 1 else {
                throw Self.classify(messages.reason("cannot read row \(y)"), reading: true)
            }
            try failOnReportedError()
            row.withUnsafeMutableBufferPointer { convert(direct, UnsafeRawPointer(raw.baseAddress!), into: $0.baseAddress!) }
            row.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }

    /// One row of tiles at a time: `tileHeight` full rows assembled, then handed on.
    private func readTiles(_ direct: Direct, _ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        let tileWidth = Int(Self.field(tiff, TIFFTAG_TILEWIDTH, UInt32(0)) ?? 0)
        let tileHeight = Int(Self.field(tiff, TIFFTAG_TILELENGTH, UInt32(0)) ?? 0)
        guard tileWidth > 0 && tileHeight > 0 else { throw .badHeader("tile size \(tileWidth)x\(tileHeight)") }
        let pixelBytes = direct.samplesPerPixel * direct.bitsPerSample / 8
        let tileBytes = Int(TIFFTileSize(tiff))
        let tileRowBytes = tileWidth * pixelBytes
        guard tileBytes >= tileRowBytes * tileHeight else { throw .corrupt(messages.reason("tile size \(tileBytes) too small")) }
        let bandRowBytes = width * pixelBytes
        let (bandBytes, overflow) = bandRowBytes.multipliedReportingOverflow(by: tileHeight)
        guard !overflow && bandBytes <= 1 << 30 else { throw .unsupported("tiles \(tileWidth)x\(tileHeight) are too large") }
        let tile = UnsafeMutableRawBufferPointer.allocate(byteCount: tileBytes, alignment: 16)
        defer { tile.deallocate() }
        let band = UnsafeMutableRawBufferPointer.allocate(byteCount: bandBytes, alignment: 16)
        defer { band.deallocate() }
        var row = [UInt8](repeating: 0, count: width * channels)
        for top in stride(from: 0, to: height, by: tileHeight) {
            let rows = min(tileHeight, height - top)
            for left in stride(from: 0, to: width, by: tileWidth) {
                guard TIFFReadTile(tiff, tile.baseAddress, UInt32(left), UInt32(top), 0, 0) >= 0 else {
                    throw Self.classify(messages.reason("cannot read the tile at \(left),\(top)"), reading: true)
                }
                try failOnReportedError()
                let copied = min(tileWidth, width - left) * pixelBytes
                for r in 0..<rows {
                    (band.baseAddress! + r * bandRowBytes + left * pixelBytes)
                        .copyMemory(from: tile.baseAddress! + r * tileRowBytes, byteCount: copied)
                }
            }
            for r in 0..<rows {
                row.withUnsafeMutableBufferPointer {
                    convert(direct, UnsafeRawPointer(band.baseAddress! + r * bandRowBytes), into: $0.baseAddress!)
                }
                row.withUnsafeBufferPointer { body($0.baseAddress!) }
            }
        }
    }

    /// Bands of rows through libtiff's RGBA conversion (packed ABGR words, colour premultiplied
    /// when there is alpha), un-premultiplied here.
    private func readRGBA(gray: Bool, alpha: Bool, _ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        var why = [CChar](repeating: 0, count: 1024)
        var image = TIFFRGBAImage()
        guard why.withUnsafeMutableBufferPointer({ TIFFRGBAImageBegin(&image, tiff, 1, $0.baseAddress) }) == 1 else {
            let text = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unsupported("libtiff: \(text)")
        }
        defer { TIFFRGBAImageEnd(&image) }
        // Rows as stored, top first: the orientation is applied with the other formats' (after
        // reducing), so libtiff must not flip anything.
        image.req_orientation = UInt16(ORIENTATION_TOPLEFT)
        image.orientation = UInt16(ORIENTATION_TOPLEFT)
        // A band of whole strips or tiles, so each is decoded once; at most 16 MB of words.
        let unit = TIFFIsTiled(tiff) != 0
            ? Int(Self.field(tiff, TIFFTAG_TILELENGTH, UInt32(0)) ?? 0)
            : Int(Self.field(tiff, TIFFTAG_ROWSPERSTRIP, UInt32(0), defaulted: true) ?? 0)
        let cap = max(1, (16 << 20) / (width * 4))
        let bandRows = max(1, min(unit > 0 ? unit : 1, cap, height))
        let raster = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: width * bandRows)
        defer { raster.deallocate() }
        var row = [UInt8](repeating: 0, count: width * channels)
        for top in stride(from: 0, to: height, by: bandRows) {
            let rows = min(bandRows, height - top)
            image.row_offset = Int32(top)
            image.col_offset = 0
            guard TIFFRGBAImageGet(&image, raster.baseAddress, UInt32(width), UInt32(rows)) == 1 else {
                throw Self.classify(messages.reason("cannot read rows \(top)-\(top + rows - 1)"), reading: true)
            }
            try failOnReportedError()
            for r in 0..<rows {
                let words = raster.baseAddress! + r * width
                row.withUnsafeMutableBufferPointer { out in
                    for x in 0..<width {
                        let word = words[x]
                        let r8 = UInt8(word & 0xFF), g8 = UInt8((word >> 8) & 0xFF), b8 = UInt8((word >> 16) & 0xFF)
                        let a8 = UInt8(word >> 24)
                        switch channels {
                        case 1: out[x] = r8
                        case 3: out[3 * x] = r8; out[3 * x + 1] = g8; out[3 * x + 2] = b8
                        default:
                            out[4 * x] = Self.unpremultiply(r8, a8)
                            out[4 * x + 1] = Self.unpremultiply(g8, a8)
                            out[4 * x + 2] = Self.unpremultiply(b8, a8)
                            out[4 * x + 3] = a8
                        }
                    }
                }
                row.withUnsafeBufferPointer { body($0.baseAddress!) }
            }
        }
    }

    /// Some decoders (CCITT fax, PackBits) report damaged data as an error and still return
    /// success with garbage rows: a thumbnail of garbage must not be called ok, so any error
    /// reported while reading fails the file with libtiff's words.
    private func failOnReportedError() throws(CodecError) {
        if let error = messages.firstError { throw Self.classify(error, reading: true) }
    }

    /// Straight colour from premultiplied, as Pillow's RGBa to RGBA does (truncating).
    @inline(__always)
    static func unpremultiply(_ value: UInt8, _ alpha: UInt8) -> UInt8 {
        alpha == 0 ? 0 : UInt8(min(255, Int(value) * 255 / Int(alpha)))
    }

    /// A 16-bit sample rounded to 8 bits.
    @inline(__always)
    static func to8(_ value: UInt16) -> UInt8 { UInt8((Int(value) * 255 + 32767) / 65535) }

    /// One stored row of `direct` samples to `channels` bytes a pixel.
    private func convert(_ direct: Direct, _ raw: UnsafeRawPointer, into out: UnsafeMutablePointer<UInt8>) {
        let spp = direct.samplesPerPixel
        let wide = direct.bitsPerSample == 16
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        let words = raw.assumingMemoryBound(to: UInt16.self)
        @inline(__always) func sample(_ i: Int) -> UInt8 { wide ? Self.to8(words[i]) : bytes[i] }
        let colourOut = channels - (direct.alphaSample == nil ? 0 : 1)
        // True when this row's CMYK went through the profile (false: it could not, the naive
        // formula applies).
        let profiled = direct.colour == .cmyk && cmykProfile.map { convertCMYK(direct, sample, $0, into: out) } == true
        for x in 0..<width {
            let base = x * spp
            let pixel = out + x * channels
            switch direct.colour {
            case .gray: pixel[0] = sample(base)
            case .grayInverted: pixel[0] = 255 - sample(base)
            case .palette:
                let index = Int(bytes[base])
                pixel[0] = direct.palette[3 * index]
                pixel[1] = direct.palette[3 * index + 1]
                pixel[2] = direct.palette[3 * index + 2]
            case .rgb:
                pixel[0] = sample(base); pixel[1] = sample(base + 1); pixel[2] = sample(base + 2)
            case .cmyk where profiled:
                break  // converted above
            case .cmyk:
                let k = 255 - Int(sample(base + 3))
                for c in 0..<3 { pixel[c] = UInt8(((255 - Int(sample(base + c))) * k + 127) / 255) }
            }
            if let alphaSample = direct.alphaSample {
                let alpha = sample(base + alphaSample)
                pixel[colourOut] = alpha
                if direct.premultiplied && wide && (direct.colour == .rgb || direct.colour == .gray) {
                    // Divided out at 16 bits, before rounding: at low alpha the 8-bit quotient
                    // would magnify the rounding of both.
                    let alpha16 = Int(words[base + alphaSample])
                    for c in 0..<colourOut {
                        let value = alpha16 == 0 ? 0 : min(65535, Int(words[base + c]) * 65535 / alpha16)
                        pixel[c] = Self.to8(UInt16(value))
                    }
                    continue
                }
                if direct.premultiplied {
                    for c in 0..<colourOut { pixel[c] = Self.unpremultiply(pixel[c], alpha) }
                }
            }
        }
    }

    /// One row's CMYK samples (0 = no ink) through `cmykProfile` into the colour of `out`'s
    /// pixels; false (nothing written) when the profile cannot convert them.
    private func convertCMYK(_ direct: Direct, _ sample: (Int) -> UInt8, _ cmykProfile: (profile: [UInt8], conversion: SRGBConversion),
                             into out: UnsafeMutablePointer<UInt8>) -> Bool {
        var cmyk = [UInt8](repeating: 0, count: width * 4)
        for x in 0..<width {
            for c in 0..<4 { cmyk[4 * x + c] = sample(x * direct.samplesPerPixel + c) }
        }
        guard let rgb = cmykProfile.conversion.cmykToSRGB(cmyk, inverted: false, profile: cmykProfile.profile) else { return false }
        for x in 0..<width {
            for c in 0..<3 { out[x * channels + c] = rgb[3 * x + c] }
        }
        return true
    }

    static func classify(_ message: String, reading: Bool) -> CodecError {
        let lower = message.lowercased()
        if lower.contains("read error") || lower.contains("seek error") || lower.contains("premature end")
            || lower.contains("unexpected end") || lower.contains("not enough data") || lower.contains("truncat")
            || lower.contains("past end") || lower.contains("beyond end") {
            return .truncated("the file ends before the image does (libtiff: \(message))")
        }
        if lower.contains("sorry") || lower.contains("not supported") || lower.contains("not implemented")
            || lower.contains("cannot handle") || lower.contains("can not handle") {
            return .unsupported("libtiff: \(message)")
        }
        return reading ? .corrupt("libtiff: \(message)") : .badHeader("libtiff: \(message)")
    }
}
