/// A rectangle of whole source pixels: the part of the picture a thumbnail is made from.
public struct CropWindow: Equatable, Sendable, Codable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The window of `box` shape `fit` takes from an upright `width` x `height` picture, and the
    /// thumbnail size it gives. `focus` is the point (0...1 on each axis of the upright picture)
    /// the window is centred on as far as the picture allows; (0.5, 0.5) is the centre crop.
    ///
    /// `cover` with both sides bounded: the largest window of the box's aspect, scaled to the box;
    /// when the picture is smaller than the box on either side, no scaling at all, so the window is
    /// the thumbnail. A box with one side open has no shape to fill: `cover` is `contain` there.
    public static func fitting(width: Int, height: Int, box: BoxSize, fit: FitMode,
                               focus: (x: Double, y: Double)) -> (window: CropWindow, width: Int, height: Int) {
        let whole = CropWindow(x: 0, y: 0, width: width, height: height)
        guard fit == .cover, let bw = box.width, let bh = box.height else {
            let fitted = ThumbnailSize.fit(width: width, height: height, in: box)
            return (whole, fitted.width, fitted.height)
        }
        let aspect = Double(bw) / Double(bh)
        var cw: Int, ch: Int
        var outW: Int, outH: Int
        if width >= bw && height >= bh {
            // The side that is relatively shorter is kept whole; the other is cut to the aspect.
            if Double(width) / Double(height) >= aspect {
                ch = height
                cw = min(width, max(Int((Double(height) * aspect).rounded()), 1))
            } else {
                cw = width
                ch = min(height, max(Int((Double(width) / aspect).rounded()), 1))
            }
            (outW, outH) = (bw, bh)
        } else {
            cw = min(width, max(Int((Double(height) * aspect).rounded()), 1))
            ch = min(height, max(Int((Double(width) / aspect).rounded()), 1))
            // Never taller or wider than the box either.
            cw = min(cw, bw)
            ch = min(ch, bh)
            (outW, outH) = (cw, ch)
        }
        let x = Self.place(cw, in: width, at: focus.x)
        let y = Self.place(ch, in: height, at: focus.y)
        return (CropWindow(x: x, y: y, width: cw, height: ch), outW, outH)
    }

    /// The start of a span of `length` centred on `focus * total`, kept inside `0..<total`.
    static func place(_ length: Int, in total: Int, at focus: Double) -> Int {
        let centre = focus.isFinite ? min(max(focus, 0), 1) * Double(total) : Double(total) / 2
        let start = Int((centre - Double(length) / 2).rounded())
        return min(max(start, 0), total - length)
    }

    /// This window (in the upright picture) in the stored picture's pixels, for EXIF `orientation`
    /// (see `PixelBuffer.oriented`): `storedWidth` x `storedHeight` is the stored size.
    public func stored(orientation: Int, storedWidth w: Int, storedHeight h: Int) -> CropWindow {
        switch orientation {
        case 2: return CropWindow(x: w - x - width, y: y, width: width, height: height)
        case 3: return CropWindow(x: w - x - width, y: h - y - height, width: width, height: height)
        case 4: return CropWindow(x: x, y: h - y - height, width: width, height: height)
        case 5: return CropWindow(x: y, y: x, width: height, height: width)
        case 6: return CropWindow(x: y, y: h - x - width, width: height, height: width)
        case 7: return CropWindow(x: w - y - height, y: h - x - width, width: height, height: width)
        case 8: return CropWindow(x: w - y - height, y: x, width: height, height: width)
        default: return self
        }
    }
}
