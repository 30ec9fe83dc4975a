extension PixelBuffer {
    /// The image composited over an opaque `background` (RGB), alpha dropped: RGBA becomes RGB and
    /// gray+alpha becomes gray (over the background's luma). Images without alpha come back as they are.
    public func flattened(onto background: RGBColor) -> PixelBuffer {
        guard hasAlpha else { return self }
        let backdrop: [Int] = colorChannels == 1 ? [background.luma] : [Int(background.red), Int(background.green), Int(background.blue)]
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * colorChannels)
        for i in 0..<count {
            let a = Int(pixels[i * channels + colorChannels])
            for c in 0..<colorChannels {
                let value = Int(pixels[i * channels + c]) * a + backdrop[c] * (255 - a)
                out[i * colorChannels + c] = UInt8((value + 127) / 255)
            }
        }
        return PixelBuffer(width: width, height: height, channels: colorChannels, pixels: out)
    }
}

/// An opaque 8-bit sRGB colour, as given to `--background`.
public struct RGBColor: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    public static let white = RGBColor(red: 255, green: 255, blue: 255)

    /// Parses `#RRGGBB`, `RRGGBB`, `#RGB` or a few names (white, black, gray/grey).
    public init?(parsing text: String) {
        let lower = text.lowercased()
        switch lower {
        case "white": self = .white; return
        case "black": self.init(red: 0, green: 0, blue: 0); return
        case "gray", "grey": self.init(red: 128, green: 128, blue: 128); return
        default: break
        }
        var hex = Substring(lower)
        if hex.hasPrefix("#") { hex = hex.dropFirst() }
        guard hex.allSatisfy(\.isHexDigit) else { return nil }
        if hex.count == 3 {
            hex = Substring(hex.flatMap { [$0, $0] })
        }
        guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// Rec. 601 luma, as Pillow's RGB to L conversion.
    public var luma: Int {
        (Int(red) * 299 + Int(green) * 587 + Int(blue) * 114 + 500) / 1000
    }

    public var description: String {
        func hex(_ v: UInt8) -> String { (v < 16 ? "0" : "") + String(v, radix: 16) }
        return "#\(hex(red))\(hex(green))\(hex(blue))"
    }
}
