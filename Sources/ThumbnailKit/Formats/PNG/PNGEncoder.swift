import CPNGWriter
#if canImport(Glibc)
import Glibc
#endif

/// Encodes 8-bit images (1 to 4 channels) as PNG: rows filtered and compressed by libdeflate in
/// CPNGWriter (not libpng: Benchmarks/png-encode.md has the measurements). An instance, the
/// format's `ThumbnailEncoder`, keeps its compressor and scratch buffers from one thumbnail to the
/// next (a renderer keeps its encoders); the static `encode` makes a fresh writer each call.
public final class PNGEncoder: ThumbnailEncoder {
    /// Scratch kept between thumbnails, at most: a 512-pixel RGBA thumbnail needs about 2 MB.
    static let keptScratchBytes = 8 << 20

    private let writer: OpaquePointer

    public init() throws(CodecError) {
        guard let writer = tnpw_encoder_new(Self.keptScratchBytes) else { throw .encodeFailed("out of memory") }
        self.writer = writer
    }

    deinit { tnpw_encoder_free(writer) }

    /// The PNG for `image` at `spec.pngLevel`, with the ICC profile when it fits the pixels.
    public func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8] {
        let profile = iccProfile.flatMap { ICCProfile.fits($0, colorChannels: image.colorChannels) ? $0 : nil }
        return try Self.encode(image, level: spec.pngLevel, iccProfile: profile, text: [], with: writer)
    }

    /// The PNG for `image` at compression `level` (0-9), with `iccProfile` embedded when given, and
    /// one tEXt chunk per `text` pair (keys and values Latin-1; the desktop cache's `Thumb::` keys).
    /// No time chunk is written, so the same pixels and text always give the same bytes.
    public static func encode(_ image: PixelBuffer, level: Int = 6, iccProfile: [UInt8]? = nil,
                              text: [(key: String, value: String)] = []) throws(CodecError) -> [UInt8] {
        guard let writer = tnpw_encoder_new(0) else { throw .encodeFailed("out of memory") }
        defer { tnpw_encoder_free(writer) }
        return try encode(image, level: level, iccProfile: iccProfile, text: text, with: writer)
    }

    /// The row filter used at each level. Chosen by measurement (Benchmarks/png-encode.md): level 0
    /// stores the rows, so filtering them would only cost time.
    static func filter(level: Int) -> Int32 {
        level == 0 ? Int32(TNPW_FILTER_NONE) : Int32(TNPW_FILTER_ADAPTIVE)
    }

    private static func encode(_ image: PixelBuffer, level: Int, iccProfile: [UInt8]?, text: [(key: String, value: String)],
                               with writer: OpaquePointer) throws(CodecError) -> [UInt8] {
        guard (0...9).contains(level) else { throw .encodeFailed("PNG level \(level) is outside 0-9") }
        var output = tnpw_output()
        var message = [CChar](repeating: 0, count: 256)
        // C copies of the strings, alive for the call.
        let keys = text.map { UnsafePointer(strdup($0.key)) }
        let values = text.map { UnsafePointer(strdup($0.value)) }
        defer { (keys + values).forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        let icc = iccProfile ?? []
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { err in
                keys.withUnsafeBufferPointer { keys in
                    values.withUnsafeBufferPointer { values in
                        icc.withUnsafeBufferPointer { profile in
                            tnpw_encode(writer, pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.stride,
                                        Int32(image.channels), Int32(level), filter(level: level),
                                        icc.isEmpty ? nil : profile.baseAddress, icc.count,
                                        keys.baseAddress, values.baseAddress, text.count,
                                        &output, err.baseAddress, err.count)
                        }
                    }
                }
            }
        }
        guard status == 0, let data = output.data else {
            throw .encodeFailed(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: data, count: output.length))
    }
}
