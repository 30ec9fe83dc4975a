extension PixelBuffer {
    /// The upright image for pixels stored with EXIF orientation `orientation` (see
    /// `EXIFOrientation`), as `PIL.ImageOps.exif_transpose` gives it: 2 mirrors horizontally, 3
    /// rotates 180°, 4 mirrors vertically, 5 transposes, 6 rotates 90° clockwise, 7 transverses, 8
    /// rotates 90° counter-clockwise. 5...8 swap width and height. Pixels are moved exactly, never
    /// resampled. 1 and any value outside 1...8 give the image unchanged.
    public func oriented(_ orientation: Int) -> PixelBuffer {
        guard (2...8).contains(orientation) else { return self }
        let swaps = EXIFOrientation.swapsAxes(orientation)
        let outWidth = swaps ? height : width
        let outHeight = swaps ? width : height
        guard width > 0, height > 0 else {
            return PixelBuffer(width: outWidth, height: outHeight, channels: channels, pixels: [])
        }
        // Each output pixel (x, y) reads source pixel start + x * stepX + y * stepY (pixel units).
        let w = width, h = height
        let (start, stepX, stepY): (Int, Int, Int)
        switch orientation {
        case 2: (start, stepX, stepY) = (w - 1, -1, w)
        case 3: (start, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)
        case 4: (start, stepX, stepY) = ((h - 1) * w, 1, -w)
        case 5: (start, stepX, stepY) = (0, w, 1)
        case 6: (start, stepX, stepY) = ((h - 1) * w, -w, 1)
        case 7: (start, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)
        default: (start, stepX, stepY) = (w - 1, w, -1)  // 8
        }
        let c = channels
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                var t = 0
                for y in 0..<outHeight {
                    var s = (start + y * stepY) * c
                    for _ in 0..<outWidth {
                        for k in 0..<c { target[t + k] = source[s + k] }
                        t += c
                        s += stepX * c
                    }
                }
            }
        }
        return PixelBuffer(width: outWidth, height: outHeight, channels: c, pixels: out)
    }
}
