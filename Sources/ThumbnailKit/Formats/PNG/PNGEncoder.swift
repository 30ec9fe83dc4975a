import CPNGShim
#if canImport(Glibc)
import Glibc
#endif

/// Encodes 8-bit images (1 to 4 channels) as PNG through libpng (behind CPNGShim). Holds no
/// state: `encode(_:level:iccProfile:)` is static; an instance is the format's `ThumbnailEncoder`.
public final class PNGEncoder: ThumbnailEncoder {
    public init() {}

    /// The PNG for `image` at `spec.pngLevel`, with the ICC profile when it fits the pixels.
    public func encode(_ image: PixelBuffer, iccProfile: [UInt8]?, spec: ThumbnailSpec) throws(CodecError) -> [UInt8] {
        let profile = iccProfile.flatMap { ICCProfile.fits($0, colorChannels: image.colorChannels) ? $0 : nil }
        return try Self.encode(image, level: spec.pngLevel, iccProfile: profile)
    }

    /// The PNG for `image` at zlib `level` (0-9), with `iccProfile` embedded when given, and one
    /// tEXt chunk per `text` pair (keys and values Latin-1; the desktop cache's `Thumb::` keys). No
    /// time chunk is written, so the same pixels and text always give the same bytes.
    public static func encode(_ image: PixelBuffer, level: Int = 6, iccProfile: [UInt8]? = nil,
                              text: [(key: String, value: String)] = []) throws(CodecError) -> [UInt8] {
        var buffer = tnpng_buffer()
        var message = [CChar](repeating: 0, count: 256)
        // C copies of the strings, alive for the call (libpng copies them into its info struct).
        let keys = text.map { UnsafePointer(strdup($0.key)) }
        let values = text.map { UnsafePointer(strdup($0.value)) }
        defer { (keys + values).forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        let status = image.pixels.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { err in
                keys.withUnsafeBufferPointer { keys in
                    values.withUnsafeBufferPointer { values in
                        if let icc = iccProfile, !icc.isEmpty {
                            return icc.withUnsafeBufferPointer { profile in
                                tnpng_encode(pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.stride,
                                             Int32(image.channels), Int32(level), profile.baseAddress, profile.count,
                                             keys.baseAddress, values.baseAddress, text.count,
                                             &buffer, err.baseAddress, err.count)
                            }
                        }
                        return tnpng_encode(pixels.baseAddress, UInt32(image.width), UInt32(image.height), image.stride,
                                            Int32(image.channels), Int32(level), nil, 0,
                                            keys.baseAddress, values.baseAddress, text.count,
                                            &buffer, err.baseAddress, err.count)
                    }
                }
            }
        }
        defer { tnpng_free(&buffer) }
        guard status == 0, let data = buffer.data else {
            throw .encodeFailed(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: data, count: buffer.length))
    }
}
