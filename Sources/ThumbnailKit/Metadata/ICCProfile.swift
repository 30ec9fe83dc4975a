/// ICC colour profiles: carried from a source into its thumbnails (each format's folder reads and
/// embeds them in its own container: JPEG APP2 segments, PNG `iCCP`).
public enum ICCProfile {
    /// True when `profile` describes pixels of `colorChannels` colour channels: an RGB profile for
    /// RGB, a gray one for gray. A CMYK JPEG's profile no longer fits once its pixels became RGB,
    /// and is dropped rather than embedded wrongly.
    public static func fits(_ profile: [UInt8], colorChannels: Int) -> Bool {
        guard profile.count >= 20 else { return false }
        let space = Array(profile[16..<20])
        switch colorChannels {
        case 3: return space == Array("RGB ".utf8)
        case 1: return space == Array("GRAY".utf8)
        default: return false
        }
    }
}
