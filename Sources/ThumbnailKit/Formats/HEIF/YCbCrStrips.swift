import CAVIF

/// Turns a decoded YCbCr frame (an `avifImage`, whose planes may be libavif's or libheif's) into
/// 8-bit RGB(A) rows a strip at a time, with libavif's conversion (the one avifdec uses: the
/// frame's matrix and range, bilinear chroma upsampling, depth scaling, alpha unpremultiplied
/// when stored premultiplied). Memory is the strip, never a second frame.
enum YCbCrStrips {
    /// Rows per strip converted at a time, and rows of context converted either side (chroma is
    /// upsampled from neighbouring rows: with the context, strips join seamlessly and the rows
    /// equal a whole-image conversion).
    static let stripRows = 32
    static let contextRows = 4

    /// Hands every row of `image` to `body` top to bottom as `image.width * channels` bytes
    /// (channels 3: RGB, 4: RGBA). `failure` names a libavif error.
    static func readRows(of image: UnsafeMutablePointer<avifImage>, channels: Int,
                         _ failure: (avifResult) -> CodecError,
                         _ body: (UnsafePointer<UInt8>) -> Void) throws(CodecError) {
        let width = Int(image.pointee.width), height = Int(image.pointee.height)
        let rowBytes = width * channels
        var strip = [UInt8](repeating: 0, count: rowBytes * (stripRows + 2 * contextRows))
        var y = 0
        while y < height {
            let end = min(y + stripRows, height)
            let top = max(y - contextRows, 0)
            let bottom = min(end + contextRows, height)
            var view = avifImage()
            var rect = avifCropRect(x: 0, y: UInt32(top), width: UInt32(width), height: UInt32(bottom - top))
            let viewed = avifImageSetViewRect(&view, image, &rect)
            guard viewed == AVIF_RESULT_OK else { throw failure(viewed) }
            var rgb = avifRGBImage()
            avifRGBImageSetDefaults(&rgb, &view)
            rgb.depth = 8
            rgb.format = channels == 4 ? AVIF_RGB_FORMAT_RGBA : AVIF_RGB_FORMAT_RGB
            rgb.rowBytes = UInt32(rowBytes)
            let converted = strip.withUnsafeMutableBufferPointer { buffer -> avifResult in
                rgb.pixels = buffer.baseAddress
                return avifImageYUVToRGB(&view, &rgb)
            }
            guard converted == AVIF_RESULT_OK else { throw failure(converted) }
            strip.withUnsafeBufferPointer { buffer in
                for row in y..<end { body(buffer.baseAddress! + (row - top) * rowBytes) }
            }
            y = end
        }
    }
}
