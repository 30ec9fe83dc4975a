import CLCMS2
import Synchronization

/// A HEIF/AVIF image's colour as signalled by an `nclx` `colr` box (or libavif's CICP): the
/// ITU-T H.273 code points of its colour primaries, transfer characteristics and matrix
/// coefficients, and its full-range flag.
///
/// The matrix and the range are applied by libheif and libavif while turning YCbCr into RGB; what
/// is left is the RGB's colour space. `iccProfile` describes that space as an ICC profile, made
/// with Little CMS, so that `--icc convert` turns it into sRGB along the same path as an embedded
/// profile (and `--icc keep` carries it into the thumbnail). Colour browsers show as sRGB gets no
/// profile: BT.709 primaries (or unspecified ones) with the sRGB curve or a BT.709-family curve.
struct NCLXColour: Equatable, Hashable, Sendable {
    var primaries: Int
    var transfer: Int
    var matrix: Int
    var fullRange: Bool

    /// The CIE xy of an RGB space's red, green and blue primaries and of its white.
    struct Chromaticities {
        var red: (x: Double, y: Double)
        var green: (x: Double, y: Double)
        var blue: (x: Double, y: Double)
        var white: (x: Double, y: Double)
    }

    /// How a transfer code point's curve is rendered in the profile.
    enum Curve: Equatable {
        /// IEC 61966-2-1's sRGB curve: also used for the BT.709-family curves (1, 6, 14, 15, and the
        /// similar 7, 11, 12), which browsers show as sRGB.
        case sRGB
        /// A pure power law (BT.470 M: 2.2, BT.470 B/G: 2.8).
        case gamma(Double)
        /// Linear light.
        case linear
    }

    static let d65 = SRGBConversion.d65
    static let illuminantC = (x: 0.310, y: 0.316)

    /// The primaries of H.273's table 2, by code point (2, unspecified, read as BT.709; 10, CIE
    /// XYZ, left out: its blue has y = 0, no RGB profile describes it).
    static func chromaticities(_ code: Int) -> Chromaticities? {
        switch code {
        case 1, 2: return Chromaticities(red: (0.640, 0.330), green: (0.300, 0.600), blue: (0.150, 0.060), white: d65)
        case 4: return Chromaticities(red: (0.67, 0.33), green: (0.21, 0.71), blue: (0.14, 0.08), white: illuminantC)
        case 5: return Chromaticities(red: (0.64, 0.33), green: (0.29, 0.60), blue: (0.15, 0.06), white: d65)
        case 6, 7: return Chromaticities(red: (0.630, 0.340), green: (0.310, 0.595), blue: (0.155, 0.070), white: d65)
        case 8: return Chromaticities(red: (0.681, 0.319), green: (0.243, 0.692), blue: (0.145, 0.049), white: illuminantC)
        case 9: return Chromaticities(red: (0.708, 0.292), green: (0.170, 0.797), blue: (0.131, 0.046), white: d65)
        case 11: return Chromaticities(red: (0.680, 0.320), green: (0.265, 0.690), blue: (0.150, 0.060), white: (0.314, 0.351))
        case 12: return Chromaticities(red: (0.680, 0.320), green: (0.265, 0.690), blue: (0.150, 0.060), white: d65)
        case 22: return Chromaticities(red: (0.630, 0.340), green: (0.295, 0.605), blue: (0.155, 0.077), white: d65)
        default: return nil
        }
    }

    /// The curve of H.273's table 3 code point `code`, or nil for the ones not converted: PQ (16)
    /// and HLG (18) are HDR, whose rendering to an SDR thumbnail needs tone mapping (a choice of
    /// peak brightness) that a profile cannot express; the log curves (9, 10), SMPTE ST 428 (17)
    /// and reserved values have no ICC counterpart here. Those images are left unconverted.
    static func curve(_ code: Int) -> Curve? {
        switch code {
        case 1, 2, 6, 7, 11, 12, 13, 14, 15: return .sRGB
        case 4: return .gamma(2.2)
        case 5: return .gamma(2.8)
        case 8: return .linear
        default: return nil
        }
    }

    /// True when browsers show the image as sRGB: nothing to convert, no profile to carry.
    var isSRGB: Bool {
        (primaries == 1 || primaries == 2) && Self.curve(transfer) == .sRGB
    }

    /// An RGB ICC profile (version 4, matrix and tone curves, made by Little CMS) describing these
    /// primaries and transfer, or nil when the colour is sRGB's or cannot be described (see
    /// `curve`). The same code points always give the same bytes (the creation date is fixed),
    /// so converted and kept outputs are deterministic and a batch's transforms are shared.
    var iccProfile: [UInt8]? {
        guard !isSRGB, let space = Self.chromaticities(primaries), let curve = Self.curve(transfer) else { return nil }
        let key = [primaries, transfer]
        if let kept = Self.made.withLock({ $0[key] }) { return kept }
        let made = Self.profile(space, curve, description: "nclx \(primaries)/\(transfer) (H.273 primaries and transfer)")
        Self.made.withLock { $0[key] = made }
        return made
    }

    /// Profiles made so far, by primaries and transfer: making one took about 0.2 ms, a few percent
    /// of a small AVIF's whole render, and the same array each time makes the conversion's
    /// transform lookup a buffer comparison. A few code points exist, so it stays small.
    private static let made = Mutex<[[Int]: [UInt8]?]>([:])

    private static func profile(_ space: Chromaticities, _ curve: Curve, description: String) -> [UInt8]? {
        let tone: OpaquePointer?
        switch curve {
        case .sRGB: tone = SRGBConversion.makeSRGBToneCurve()
        case .gamma(let gamma): tone = cmsBuildGamma(nil, gamma)
        case .linear: tone = cmsBuildGamma(nil, 1)
        }
        guard let tone else { return nil }
        defer { cmsFreeToneCurve(tone) }
        var white = cmsCIExyY(x: space.white.x, y: space.white.y, Y: 1)
        var primaries = cmsCIExyYTRIPLE(Red: cmsCIExyY(x: space.red.x, y: space.red.y, Y: 1),
                                        Green: cmsCIExyY(x: space.green.x, y: space.green.y, Y: 1),
                                        Blue: cmsCIExyY(x: space.blue.x, y: space.blue.y, Y: 1))
        var curves: [OpaquePointer?] = [tone, tone, tone]
        guard let made = cmsCreateRGBProfile(&white, &primaries, &curves) else { return nil }
        defer { cmsCloseProfile(made) }
        if let text = cmsMLUalloc(nil, 1) {
            defer { cmsMLUfree(text) }
            _ = cmsMLUsetASCII(text, "en", "US", description)
            _ = cmsWriteTag(made, cmsSigProfileDescriptionTag, UnsafeRawPointer(text))
        }
        var size: cmsUInt32Number = 0
        guard cmsSaveProfileToMem(made, nil, &size) != 0, size >= 128 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        guard bytes.withUnsafeMutableBytes({ cmsSaveProfileToMem(made, $0.baseAddress, &size) }) != 0 else { return nil }
        // Little CMS stamps the time of making (header bytes 24-35): a fixed date instead
        // (2020-01-01 00:00:00), and no profile ID (bytes 84-99, zero: "not computed").
        let date: [UInt8] = [0x07, 0xE4, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes.replaceSubrange(24..<36, with: date)
        bytes.replaceSubrange(84..<100, with: [UInt8](repeating: 0, count: 16))
        return bytes
    }
}
