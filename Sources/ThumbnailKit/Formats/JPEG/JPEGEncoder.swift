import CTurboJPEG

/// Encodes 8-bit gray or RGB pixels as JPEG through TurboJPEG, keeping its handle for the life of
/// the worker.
public final class JPEGEncoder {
    private let handle: tjhandle

    public init() throws(CodecError) {
        guard let handle = tjInitCompress() else { throw .unsupported("cannot start the JPEG encoder") }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// The JPEG for `image` (1 or 3 channels) at `quality` (1-100), 4:2:0 chroma as Pillow writes
    /// by default; `progressive` for a progressive file. Carries no metadata and no timestamp.
    public func encode(_ image: PixelBuffer, quality: Int, progressive: Bool = false) throws(CodecError) -> [UInt8] {
        precondition(image.channels == 1 || image.channels == 3, "flatten alpha before encoding JPEG")
        let format = image.channels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsampling = image.channels == 1 ? TJSAMP_GRAY : TJSAMP_420
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        var flags: Int32 = 0
        if progressive { flags |= TJFLAG_PROGRESSIVE }
        let status = image.pixels.withUnsafeBufferPointer { input in
            tjCompress2(handle, input.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                        &output, &size, Int32(subsampling.rawValue), Int32(quality), flags)
        }
        defer { if let output { tjFree(output) } }
        guard status == 0, let output else {
            throw .encodeFailed(String(cString: tjGetErrorStr2(handle)))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }
}
