/// An 8-bit image with interleaved channels, rows packed (`width * channels` bytes a row).
/// Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; alpha, when present, is last and straight
/// (not premultiplied).
public struct PixelBuffer: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "pixel count does not match the size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int, repeating value: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// True for gray+alpha and RGBA.
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// Channels that carry colour: 1 for gray (with or without alpha), 3 for RGB(A).
    public var colorChannels: Int { hasAlpha ? channels - 1 : channels }

    /// Bytes in one row.
    public var stride: Int { width * channels }

    /// The sample at (x, y), channel c.
    public subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }
}
