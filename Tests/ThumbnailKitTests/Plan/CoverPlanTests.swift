import Testing
@testable import ThumbnailKit

/// `--fit cover` arithmetic: the crop window and the thumbnail size, swept over sizes, boxes,
/// focus points and orientations.
@Suite struct CoverPlanTests {
    static let sides = [1, 2, 7, 31, 32, 33, 63, 64, 65, 100, 199, 200, 640, 1000, 1920, 5120]
    static let boxes = [BoxSize(width: 64, height: 64), BoxSize(width: 200, height: 100), BoxSize(width: 90, height: 160)]

    @Test(arguments: boxes)
    func fillsTheBoxOrTakesTheLargestCropOfItsShapeAndStaysInside(box: BoxSize) {
        let bw = box.width!, bh = box.height!
        for w in Self.sides {
            for h in Self.sides {
                for focus in [(0.0, 0.0), (0.5, 0.5), (1.0, 0.3)] {
                    let (window, outW, outH) = CropWindow.fitting(width: w, height: h, box: box, fit: .cover, focus: focus)
                    #expect(window.x >= 0 && window.y >= 0 && window.x + window.width <= w && window.y + window.height <= h)
                    #expect(outW <= bw && outH <= bh)
                    if w >= bw && h >= bh {
                        #expect(outW == bw && outH == bh, "\(w)x\(h)")
                        // One side whole, the other cut to the box's aspect (within a pixel).
                        #expect(window.width == w || window.height == h)
                        let aspect = Double(bw) / Double(bh)
                        #expect(abs(Double(window.width) - Double(window.height) * aspect) <= max(aspect, 1) / 2 + 1e-9,
                                "\(w)x\(h): \(window)")
                    } else {
                        // Never enlarged: the window is the thumbnail, pixel for pixel.
                        #expect(outW == window.width && outH == window.height, "\(w)x\(h)")
                        #expect(window.width == w || window.height == h || window.width == bw || window.height == bh,
                                "\(w)x\(h): not the largest crop \(window)")
                    }
                }
            }
        }
    }

    @Test func containIsTodaysRuleAndCoverWithAnOpenSideIsContain() {
        for w in Self.sides {
            for h in Self.sides {
                for box in [BoxSize(width: 64, height: 64), BoxSize(width: 100, height: nil)] {
                    let fit: FitMode = box.height == nil ? .cover : .contain
                    let (window, outW, outH) = CropWindow.fitting(width: w, height: h, box: box, fit: fit, focus: (0.5, 0.5))
                    let fitted = ThumbnailSize.fit(width: w, height: h, in: box)
                    #expect(window == CropWindow(x: 0, y: 0, width: w, height: h))
                    #expect(outW == fitted.width && outH == fitted.height)
                }
            }
        }
    }

    @Test func focusPlacesTheWindowAndEdgesStopIt() {
        let box = BoxSize(width: 100, height: 100)
        #expect(CropWindow.fitting(width: 400, height: 100, box: box, fit: .cover, focus: (0.5, 0.5)).window.x == 150)
        #expect(CropWindow.fitting(width: 400, height: 100, box: box, fit: .cover, focus: (0, 0.5)).window.x == 0)
        #expect(CropWindow.fitting(width: 400, height: 100, box: box, fit: .cover, focus: (1, 0.5)).window.x == 300)
        #expect(CropWindow.fitting(width: 400, height: 100, box: box, fit: .cover, focus: (0.8, 0.5)).window.x == 270)
    }

    /// The window mapped to stored pixels, cut there and turned upright, is the window cut from the
    /// upright picture: for every orientation.
    @Test(arguments: 1...8)
    func storedWindowIsTheUprightWindow(orientation: Int) {
        var generator = SplitMix64(seed: UInt64(orientation))
        let stored = PixelBuffer(width: 13, height: 7, channels: 1, pixels: (0..<91).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let upright = stored.oriented(orientation)
        let window = CropWindow(x: 2, y: 1, width: 4, height: 3)
        let fromUpright = crop(upright, window)
        let inStored = window.stored(orientation: orientation, storedWidth: stored.width, storedHeight: stored.height)
        #expect(crop(stored, inStored).oriented(orientation) == fromUpright)
    }

    private func crop(_ image: PixelBuffer, _ w: CropWindow) -> PixelBuffer {
        var out: [UInt8] = []
        for y in w.y..<(w.y + w.height) {
            for x in w.x..<(w.x + w.width) { out.append(image[x, y, 0]) }
        }
        return PixelBuffer(width: w.width, height: w.height, channels: 1, pixels: out)
    }

    /// The crop is in the weights: the plan's filters read only the window (plus the kernel's
    /// reach), and the DCT scale is chosen for the window, not the whole picture.
    @Test func theCropShiftsTheWeightsAndDecidesTheScale() {
        let plan = ShrinkPlan.make(sourceWidth: 4000, sourceHeight: 1000, box: BoxSize(width: 100, height: 100), blurSigma: 0,
                                   shrinkOnLoad: .dctEighths, fit: .cover, focus: (0.5, 0.5), orientation: 1)
        #expect(plan.outputWidth == 100 && plan.outputHeight == 100)
        #expect(plan.crop == CropWindow(x: 1500, y: 0, width: 1000, height: 1000))
        // The window's 1000 pixels at 1/8 would leave less than 2x 100; at 2/8, 250.
        #expect(plan.dctScale == 2)
        let weights = plan.horizontalWeights
        // 1500..2500 source pixels are 375..625 decoded ones; Lanczos-3 at 2.5x reaches 7.5 further.
        #expect(weights.starts[0] >= 367 && weights.starts[0] <= 370)
        #expect(weights.starts[99] + weights.counts[99] >= 630 && weights.starts[99] + weights.counts[99] <= 633)
        let reducer = SeparableReducer(plan: plan, channels: 1)
        #expect(reducer.outputWidth == 100 && reducer.outputHeight == 100)
    }
}
