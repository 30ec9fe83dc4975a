/// Everything decided about one image before a pixel is decoded: the thumbnail's size, how far the
/// decoder shrinks on load (as much as its format offers), and the blur in the pixels the resampler
/// works on.
///
/// One pure function (`ShrinkPlan.make`) makes it, so the whole size arithmetic is testable over
/// sweeps of sizes without a codec.
public struct ShrinkPlan: Equatable, Sendable {
    /// The stored image's size.
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The thumbnail's size, in stored (not yet rotated) orientation.
    public var outputWidth: Int
    public var outputHeight: Int
    /// The DCT scale, as eighths: the JPEG is decoded at `dctScale`/8 of its size (8 = full size).
    public var dctScale: Int
    /// The integer box shrink applied to full-size rows as they arrive (`.wholeBox`, for decoders
    /// that cannot shrink): each block of `boxShrink` x `boxShrink` pixels is averaged (1 = none).
    public var boxShrink: Int = 1
    /// The size entering the Lanczos stage: `TJSCALED(source, dctScale/8)` for a JPEG, rounded up
    /// as libjpeg does; `ceil(source / boxShrink)` after a box shrink.
    public var decodedWidth: Int
    public var decodedHeight: Int
    /// The Gaussian blur's standard deviation in decoded pixels (0 = no blur). A DCT scale shrinks
    /// both axes by the same factor, so one sigma serves both.
    public var blurSigma: Double
    /// The decoder scales the whole picture to exactly `decodedWidth` x `decodedHeight`
    /// (`.anyScale`), so the decoded grid has no partial last pixel.
    public var scaledOnLoad = false
    /// The part of the stored picture the thumbnail is made from (the whole of it unless
    /// `--fit cover` crops): the window shifts and narrows the resampling weights, so cropping
    /// costs nothing per pixel.
    public var crop: CropWindow

    /// The smallest reduction left to the Lanczos resampler after shrink-on-load. As libvips does,
    /// at least 2x, so the DCT's crude reduction never decides the final pixels alone.
    public static let minimumResidualFactor = 2.0

    /// DCT scales (in eighths) TurboJPEG decodes with SIMD-accelerated inverse DCTs.
    public static let dctScales = [1, 2, 4, 8]

    /// Makes the plan for a `sourceWidth` x `sourceHeight` image fitted into `box`.
    /// - Parameters:
    ///   - transposed: the image is shown rotated by 90 degrees (EXIF orientation 5-8), so the box
    ///     applies to the upright image, whose width is the stored height.
    ///   - shrinkOnLoad: the reduction the source offers while decoding. `.dctEighths`: the smallest
    ///     DCT scale that leaves 2x to the resampler. `.wholeBox`: average whole blocks of pixels as
    ///     rows arrive, by the largest whole factor that still leaves 2x to the resampler (the same
    ///     job the DCT scale does for JPEG, for a fraction of the resampler's cost per source pixel).
    ///     `.anyScale`: decode straight at the smallest size that leaves 2x on both axes.
    ///   - blurSigma: the blur's standard deviation in source pixels; 0 for none.
    ///   - fit: `contain` (the whole picture) or `cover` (the box filled, see `CropWindow.fitting`).
    ///   - focus: for `cover`, the point of the upright picture (0...1 each axis) the crop centres on.
    ///   - orientation: the EXIF orientation the thumbnail is turned by afterwards (it decides
    ///     `transposed` and where an upright crop lies in the stored pixels); nil: `transposed` says.
    public static func make(
        sourceWidth: Int, sourceHeight: Int, box: BoxSize, blurSigma: Double,
        transposed: Bool = false, shrinkOnLoad: ShrinkOnLoad,
        fit: FitMode = .contain, focus: (x: Double, y: Double) = (0.5, 0.5), orientation: Int? = nil
    ) -> ShrinkPlan {
        let swaps = orientation.map(EXIFOrientation.swapsAxes) ?? transposed
        let upright = swaps ? (sourceHeight, sourceWidth) : (sourceWidth, sourceHeight)
        let fitted = CropWindow.fitting(width: upright.0, height: upright.1, box: box, fit: fit, focus: focus)
        return make(sourceWidth: sourceWidth, sourceHeight: sourceHeight, window: fitted.window,
                    outputWidth: fitted.width, outputHeight: fitted.height, blurSigma: blurSigma,
                    orientation: orientation ?? (transposed ? 5 : 1), shrinkOnLoad: shrinkOnLoad)
    }

    /// The plan that reduces the upright `window` of the picture to `outputWidth` x `outputHeight`
    /// (upright), the picture stored with EXIF `orientation`.
    public static func make(
        sourceWidth: Int, sourceHeight: Int, window: CropWindow, outputWidth: Int, outputHeight: Int, blurSigma: Double,
        orientation: Int, shrinkOnLoad: ShrinkOnLoad
    ) -> ShrinkPlan {
        let transposed = EXIFOrientation.swapsAxes(orientation)
        let (outW, outH) = transposed ? (outputHeight, outputWidth) : (outputWidth, outputHeight)
        let crop = window.stored(orientation: orientation, storedWidth: sourceWidth, storedHeight: sourceHeight)
        var scale = 8
        if shrinkOnLoad == .dctEighths {
            for candidate in dctScales {
                let w = scaled(crop.width, candidate)
                let h = scaled(crop.height, candidate)
                if Double(w) >= minimumResidualFactor * Double(outW) && Double(h) >= minimumResidualFactor * Double(outH) {
                    scale = candidate
                    break
                }
            }
        }
        if shrinkOnLoad == .anyScale {
            // The crop window's side, not the picture's, must keep 2x for Lanczos.
            let ratio = max(minimumResidualFactor * Double(outW) / Double(crop.width),
                            minimumResidualFactor * Double(outH) / Double(crop.height))
            if ratio < 1 {
                let plan = ShrinkPlan(sourceWidth: sourceWidth, sourceHeight: sourceHeight, outputWidth: outW, outputHeight: outH,
                                      dctScale: 8, decodedWidth: sourceWidth, decodedHeight: sourceHeight, blurSigma: blurSigma,
                                      crop: crop)
                return plan.scaled(toWidth: Int((Double(sourceWidth) * ratio).rounded(.up)),
                                   height: Int((Double(sourceHeight) * ratio).rounded(.up)))
            }
        }
        var factor = 1
        if shrinkOnLoad == .wholeBox {
            let fx = Double(crop.width) / (minimumResidualFactor * Double(outW))
            let fy = Double(crop.height) / (minimumResidualFactor * Double(outH))
            factor = max(Int(min(fx, fy).rounded(.down)), 1)
        }
        let decW = factor > 1 ? (sourceWidth + factor - 1) / factor : scaled(sourceWidth, scale)
        let decH = factor > 1 ? (sourceHeight + factor - 1) / factor : scaled(sourceHeight, scale)
        return ShrinkPlan(
            sourceWidth: sourceWidth, sourceHeight: sourceHeight,
            outputWidth: outW, outputHeight: outH,
            dctScale: scale, boxShrink: factor, decodedWidth: decW, decodedHeight: decH,
            blurSigma: blurSigma * Double(scale) / 8 / Double(factor), crop: crop)
    }

    /// The same plan decoded at another DCT scale (when one decode serves several sizes, the
    /// largest size's scale is used for all).
    public func decoded(atEighths eighths: Int) -> ShrinkPlan {
        var plan = self
        plan.blurSigma = blurSigma * Double(eighths) / Double(dctScale)
        plan.dctScale = eighths
        plan.decodedWidth = Self.scaled(sourceWidth, eighths)
        plan.decodedHeight = Self.scaled(sourceHeight, eighths)
        return plan
    }

    /// The same plan decoded by a scaling decoder at `width` x `height` (when one decode serves
    /// several sizes, the largest size's is used for all). The blur follows the scale; the two
    /// axes' scales differ by less than a decoded pixel, so their mean serves both.
    public func scaled(toWidth width: Int, height: Int) -> ShrinkPlan {
        var plan = self
        let ratio = (Double(decodedWidth) / Double(sourceWidth) + Double(decodedHeight) / Double(sourceHeight)) / 2
        let newRatio = (Double(width) / Double(sourceWidth) + Double(height) / Double(sourceHeight)) / 2
        plan.blurSigma = blurSigma / ratio * newRatio
        plan.decodedWidth = width
        plan.decodedHeight = height
        plan.scaledOnLoad = width != sourceWidth || height != sourceHeight
        return plan
    }

    /// The same plan without its box shrink: the resampler works on the full-size image.
    public func withoutBoxShrink() -> ShrinkPlan {
        var plan = self
        plan.blurSigma = blurSigma * Double(boxShrink)
        plan.boxShrink = 1
        plan.decodedWidth = Self.scaled(sourceWidth, dctScale)
        plan.decodedHeight = Self.scaled(sourceHeight, dctScale)
        return plan
    }

    /// How many decoded pixels the picture spans across: `sourceWidth * dctScale / 8`, which is
    /// less than `decodedWidth` when the last decoded column is only partly inside the picture.
    public var decodedExtentX: Double { decodedX(crop.width) }
    /// How many decoded rows the picture spans (see `decodedExtentX`).
    public var decodedExtentY: Double { decodedY(crop.height) }

    /// `source` pixels across, in decoded pixels. Multiplied before dividing, so the whole picture
    /// of a scaling decoder is exactly its decoded width.
    func decodedX(_ source: Int) -> Double {
        scaledOnLoad ? Double(source) * Double(decodedWidth) / Double(sourceWidth) : Double(source) * decodedPerSourcePixelX
    }
    /// `source` rows down, in decoded rows.
    func decodedY(_ source: Int) -> Double {
        scaledOnLoad ? Double(source) * Double(decodedHeight) / Double(sourceHeight) : Double(source) * decodedPerSourcePixelY
    }

    /// Decoded pixels per source pixel across (after the DCT scale and the box shrink, or the
    /// scaling decoder's own scale).
    var decodedPerSourcePixelX: Double {
        scaledOnLoad ? Double(decodedWidth) / Double(sourceWidth) : Double(dctScale) / 8 / Double(boxShrink)
    }
    /// Decoded pixels per source pixel down.
    var decodedPerSourcePixelY: Double {
        scaledOnLoad ? Double(decodedHeight) / Double(sourceHeight) : Double(dctScale) / 8 / Double(boxShrink)
    }

    /// The horizontal filter: the blur, then Lanczos-3 from the decoded width (the crop window's
    /// part of it) to the output width.
    public var horizontalWeights: ResampleWeights {
        GaussianBlur.apply(sigma: blurSigma, before: .lanczos3(from: decodedWidth, to: outputWidth, inputExtent: decodedExtentX,
                                                               offset: decodedX(crop.x)))
    }

    /// The vertical filter: the blur, then Lanczos-3 from the decoded height (the crop window's
    /// part of it) to the output height.
    public var verticalWeights: ResampleWeights {
        GaussianBlur.apply(sigma: blurSigma, before: .lanczos3(from: decodedHeight, to: outputHeight, inputExtent: decodedExtentY,
                                                               offset: decodedY(crop.y)))
    }

    /// libjpeg-turbo's `TJSCALED(dimension, {eighths, 8})`: the side rounded up. (A C macro, which
    /// Swift cannot call.)
    public static func scaled(_ dimension: Int, _ eighths: Int) -> Int {
        (dimension * eighths + 7) / 8
    }
}
