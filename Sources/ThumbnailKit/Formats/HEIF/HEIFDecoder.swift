import CHeif

/// The primary image of a HEIF or AVIF file, opened through libheif from the file's bytes (kept
/// in memory: libheif reads them without copying). libheif decodes the whole image at once (HEVC
/// through libde265, AV1 through dav1d or aom, grids assembled from their tiles). A rotation and
/// mirror (`irot`, `imir`) are left out of the decode and reported as `orientation` (libheif
/// would turn the full frame, holding a second one); a file with a `clap` crop is decoded with
/// all its transformations applied by libheif, upright, orientation 1.
final class HEIFDecoder {
    /// libheif's plugins are registered once per process (`heif_init` is reference counted; the
    /// process keeps its one reference until it exits).
    private static let initialised: Bool = {
        heif_init(nil)
        return true
    }()

    let data: [UInt8]
    private let context: OpaquePointer
    private let handle: OpaquePointer
    /// The size of the pixels delivered: stored (before `orientation`), or upright when libheif
    /// applies the transformations.
    let width: Int
    let height: Int
    /// The EXIF orientation equal to the `irot`/`imir` left to the caller (1: none left).
    let orientation: Int
    /// libheif applies `clap`, `irot` and `imir` while decoding (files with a crop).
    let appliesTransformations: Bool
    let hasAlpha: Bool
    /// Bits per luma sample as stored (8, 10 or 12); pixels are always delivered at 8 bits.
    let bitDepth: Int
    /// The `colr` box's ICC profile (`prof` or `rICC`), if any.
    let iccProfile: [UInt8]?
    /// The `colr` box's `nclx` colour (H.273 code points), if any.
    let nclx: NCLXColour?
    /// How many top-level images the file holds (the primary is the one rendered).
    let imageCount: Int

    init(data: [UInt8]) throws(CodecError) {
        _ = Self.initialised
        self.data = data
        guard let context = heif_context_alloc() else { throw .unsupported("cannot start libheif") }
        self.context = context
        // Grid tiles decoded one at a time: each worker process is one of a pool that already
        // fills the cores, and tiles decoded in parallel would each hold their own frame.
        heif_context_set_max_decoding_threads(context, 0)
        let read = data.withUnsafeBytes { heif_context_read_from_memory_without_copy(context, $0.baseAddress, $0.count, nil) }
        // The error's message lives in the context: classified before the context is freed.
        if read.code != heif_error_Ok {
            let error = Self.classify(read, decoding: false)
            heif_context_free(context)
            throw error
        }
        var primary: OpaquePointer?
        let got = heif_context_get_primary_image_handle(context, &primary)
        guard got.code == heif_error_Ok, let primary else {
            let error = Self.classify(got, decoding: false)
            heif_context_free(context)
            throw error
        }
        handle = primary
        let transforms = HEIFTransforms.read(data)
        let uprightWidth = Int(heif_image_handle_get_width(primary))
        let uprightHeight = Int(heif_image_handle_get_height(primary))
        if let transforms, !transforms.hasCleanAperture, !transforms.mirrorFirst {
            // The stored size is the upright one turned back: `ispe` cannot be trusted for it
            // (libheif 1.15's own encoder writes the upright size there).
            appliesTransformations = false
            width = transforms.rotation % 2 == 1 ? uprightHeight : uprightWidth
            height = transforms.rotation % 2 == 1 ? uprightWidth : uprightHeight
            orientation = transforms.orientation
        } else {
            appliesTransformations = true
            width = uprightWidth
            height = uprightHeight
            orientation = 1
        }
        hasAlpha = heif_image_handle_has_alpha_channel(primary) != 0
        bitDepth = Int(heif_image_handle_get_luma_bits_per_pixel(primary))
        imageCount = Int(heif_context_get_number_of_top_level_images(context))
        let profileSize = heif_image_handle_get_raw_color_profile_size(primary)
        if profileSize > 0 {
            var profile = [UInt8](repeating: 0, count: profileSize)
            let copied = profile.withUnsafeMutableBytes { heif_image_handle_get_raw_color_profile(primary, $0.baseAddress) }
            iccProfile = copied.code == heif_error_Ok ? profile : nil
        } else {
            iccProfile = nil
        }
        nclx = Self.nclx(primary)
        guard width > 0, height > 0 else {
            heif_image_handle_release(primary)
            heif_context_free(context)
            throw .badHeader("the image has no size")
        }
    }

    deinit {
        heif_image_handle_release(handle)
        heif_context_free(context)
    }

    /// The handle's `nclx` `colr` box, or nil when it has none.
    private static func nclx(_ handle: OpaquePointer) -> NCLXColour? {
        var profile: UnsafeMutablePointer<heif_color_profile_nclx>?
        guard heif_image_handle_get_nclx_color_profile(handle, &profile).code == heif_error_Ok, let profile else { return nil }
        defer { heif_nclx_color_profile_free(profile) }
        return NCLXColour(primaries: Int(profile.pointee.color_primaries.rawValue),
                          transfer: Int(profile.pointee.transfer_characteristics.rawValue),
                          matrix: Int(profile.pointee.matrix_coefficients.rawValue), fullRange: profile.pointee.full_range_flag != 0)
    }

    /// The profile the pixels are in: the ICC profile when there is one (it wins over `nclx`, as
    /// in libheif and browsers), else one made from the `nclx` colour when that is not sRGB.
    var colourProfile: [UInt8]? { iccProfile ?? nclx?.iccProfile }

    /// Channels the decoded rows hold: RGB, or RGBA with alpha (gray images come as RGB).
    var channels: Int { hasAlpha ? 4 : 3 }

    /// Decodes the primary image as planar RGB(A) (YCbCr turned to RGB with the file's `nclx`
    /// matrix and range), hands each of its rows to `body` top to bottom as interleaved 8-bit
    /// samples (`width * channels` bytes; 10- and 12-bit samples rounded to 8 bits), then frees
    /// the frame. Planar, because libheif reaches interleaved RGB through planar RGB and holds
    /// both (5120x2880: 122 MB against 79 MB measured).
    func readRows(_ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        guard let options = heif_decoding_options_alloc() else { throw .unsupported("cannot start libheif") }
        defer { heif_decoding_options_free(options) }
        options.pointee.ignore_transformations = appliesTransformations ? 0 : 1
        var decoded: OpaquePointer?
        let status = heif_decode_image(handle, &decoded, heif_colorspace_RGB, heif_chroma_444, options)
        guard status.code == heif_error_Ok, let decoded else { throw Self.classify(status, decoding: true) }
        defer { heif_image_release(decoded) }
        let wanted = hasAlpha ? [heif_channel_R, heif_channel_G, heif_channel_B, heif_channel_Alpha]
                              : [heif_channel_R, heif_channel_G, heif_channel_B]
        var planes: [(base: UnsafePointer<UInt8>, stride: Int, bits: Int)] = []
        for channel in wanted {
            var stride: Int32 = 0
            let bits = Int(heif_image_get_bits_per_pixel_range(decoded, channel))
            guard let base = heif_image_get_plane_readonly(decoded, channel, &stride),
                  Int(heif_image_get_width(decoded, channel)) == width, Int(heif_image_get_height(decoded, channel)) == height,
                  (1...16).contains(bits), Int(stride) >= width * (bits > 8 ? 2 : 1) else {
                throw .corrupt("libheif decoded an image of another size or layout than its header's")
            }
            planes.append((base, Int(stride), bits))
        }
        let count = planes.count
        var row = [UInt8](repeating: 0, count: width * count)
        for y in 0..<height {
            row.withUnsafeMutableBufferPointer { out in
                for (c, plane) in planes.enumerated() {
                    let line = plane.base + y * plane.stride
                    if plane.bits == 8 {
                        for x in 0..<width { out[x * count + c] = line[x] }
                    } else {
                        // Samples in 16-bit words, 0...2^bits-1: rounded to 0...255.
                        let words = UnsafeRawPointer(line).assumingMemoryBound(to: UInt16.self)
                        let top = (1 << plane.bits) - 1
                        for x in 0..<width {
                            out[x * count + c] = UInt8(min((Int(UInt16(littleEndian: words[x])) * 255 + top / 2) / top, 255))
                        }
                    }
                }
            }
            row.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }

    /// The whole primary image, decoded.
    func readImage() throws(CodecError) -> PixelBuffer {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * channels)
        let rowBytes = width * channels
        try readRows { row in pixels.append(contentsOf: UnsafeBufferPointer(start: row, count: rowBytes)) }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// libheif's error as the reason a file failed: data ending early is truncation, an unknown
    /// codec or feature unsupported, the rest damage (in the header while opening, in the image
    /// data while decoding).
    static func classify(_ error: heif_error, decoding: Bool) -> CodecError {
        let message = error.message.map { String(cString: $0) } ?? "libheif error \(error.code.rawValue)"
        if error.subcode == heif_suberror_End_of_data {
            return .truncated("the file ends before the image does (libheif: \(message))")
        }
        switch error.code {
        case heif_error_Unsupported_filetype, heif_error_Unsupported_feature:
            return .unsupported(message)
        case heif_error_Memory_allocation_error:
            return .unsupported(message)
        case heif_error_Decoder_plugin_error:
            return .corrupt(message)
        default:
            return decoding ? .corrupt(message) : .badHeader(message)
        }
    }
}
