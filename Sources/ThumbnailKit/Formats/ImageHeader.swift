/// What a source says about its image before a pixel is decoded.
public struct ImageHeader: Equatable, Sendable {
    /// The stored image's size (before orientation).
    public var width: Int
    public var height: Int
    /// Channels the decoder delivers: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    /// The EXIF orientation, 1-8 (1 when the file records none).
    public var orientation: Int
    /// The embedded ICC colour profile, if any.
    public var iccProfile: [UInt8]?
    /// Frames (or pages) in the file; only the first is rendered.
    public var frameCount: Int

    public init(width: Int, height: Int, channels: Int, orientation: Int = 1, iccProfile: [UInt8]? = nil,
                frameCount: Int = 1) {
        self.width = width
        self.height = height
        self.channels = channels
        self.orientation = orientation
        self.iccProfile = iccProfile
        self.frameCount = frameCount
    }

    /// True when the delivered pixels carry an alpha channel.
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
}
