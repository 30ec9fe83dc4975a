import Testing
@testable import ThumbnailKit

@Suite struct ShrinkPlanTests {
    static let sides = [1, 2, 7, 8, 9, 15, 16, 17, 49, 50, 99, 100, 101, 199, 200, 201, 399, 400, 401, 799, 800, 801,
                        1000, 1920, 2560, 2880, 5120, 30000]

    @Test(arguments: [BoxSize(width: 50, height: 50), BoxSize(width: 256, height: 256), BoxSize(width: 200, height: nil)])
    func leavesAtLeastTwiceTheOutputForTheResamplerAndPicksTheSmallestScale(box: BoxSize) {
        for w in Self.sides {
            for h in Self.sides {
                let plan = ShrinkPlan.make(sourceWidth: w, sourceHeight: h, box: box, blurSigma: 2, shrinkOnLoad: .dctEighths)
                let fitted = ThumbnailSize.fit(width: w, height: h, in: box)
                #expect(plan.outputWidth == fitted.width && plan.outputHeight == fitted.height)
                #expect(plan.decodedWidth == (w * plan.dctScale + 7) / 8)
                #expect(plan.decodedHeight == (h * plan.dctScale + 7) / 8)
                if plan.dctScale < 8 {
                    #expect(plan.decodedWidth >= 2 * plan.outputWidth, "\(w)x\(h) \(plan)")
                    #expect(plan.decodedHeight >= 2 * plan.outputHeight, "\(w)x\(h) \(plan)")
                }
                // No smaller scale would have left 2x.
                if let smaller = ShrinkPlan.dctScales.last(where: { $0 < plan.dctScale }) {
                    let sw = ShrinkPlan.scaled(w, smaller), sh = ShrinkPlan.scaled(h, smaller)
                    #expect(sw < 2 * plan.outputWidth || sh < 2 * plan.outputHeight, "\(w)x\(h) could use \(smaller)/8")
                }
                #expect(abs(plan.blurSigma - 2 * Double(plan.dctScale) / 8) < 1e-12)
            }
        }
    }

    @Test func examples() {
        let big = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 50, height: 50), blurSigma: 2, shrinkOnLoad: .dctEighths)
        #expect(big.outputWidth == 50 && big.outputHeight == 28)
        #expect(big.dctScale == 1 && big.decodedWidth == 640 && big.decodedHeight == 360)
        #expect(big.blurSigma == 0.25)
        // 400x300 fits as 50x38: at 2/8 the height (75) would leave less than 2x 38, so 4/8.
        let small = ShrinkPlan.make(sourceWidth: 400, sourceHeight: 300, box: BoxSize(width: 50, height: 50), blurSigma: 2, shrinkOnLoad: .dctEighths)
        #expect(small.outputHeight == 38)
        #expect(small.dctScale == 4 && small.decodedWidth == 200 && small.decodedHeight == 150)
        let tiny = ShrinkPlan.make(sourceWidth: 150, sourceHeight: 100, box: BoxSize(width: 50, height: 50), blurSigma: 2, shrinkOnLoad: .dctEighths)
        #expect(tiny.dctScale == 8)
        let png = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 50, height: 50), blurSigma: 2, shrinkOnLoad: .none)
        #expect(png.dctScale == 8 && png.decodedWidth == 5120 && png.blurSigma == 2)
    }

    @Test func partialBlocksAreNotStretched() {
        // 700 rows at 1/8 decode to 88 rows, the last half outside the picture: the picture spans 87.5.
        let plan = ShrinkPlan.make(sourceWidth: 1000, sourceHeight: 700, box: BoxSize(width: 50, height: 50), blurSigma: 0, shrinkOnLoad: .dctEighths)
        #expect(plan.dctScale == 1 && plan.decodedHeight == 88 && plan.decodedExtentY == 87.5)
    }

    @Test func transposedImagesFitTheBoxUpright() {
        // Stored 1800x1200 but shown as a portrait (EXIF 6): the upright 1200x1800 fits 50x50 as 33x50.
        let plan = ShrinkPlan.make(sourceWidth: 1800, sourceHeight: 1200, box: BoxSize(width: 50, height: 50), blurSigma: 0,
                                   transposed: true, shrinkOnLoad: .dctEighths)
        #expect(plan.outputWidth == 50 && plan.outputHeight == 33)
        let wide = ShrinkPlan.make(sourceWidth: 1800, sourceHeight: 1200, box: BoxSize(width: 100, height: 50), blurSigma: 0,
                                   transposed: true, shrinkOnLoad: .dctEighths)
        // Upright 1200x1800 in 100x50 is 33x50; stored, that is 50 wide and 33 tall.
        #expect(wide.outputWidth == 50 && wide.outputHeight == 33)
    }

    @Test func pngsAreBoxShrunkLeavingTwiceTheOutput() {
        for (w, h) in [(5120, 2880), (1920, 1200), (101, 100), (99, 99), (30000, 30000), (7, 3000)] {
            let plan = ShrinkPlan.make(sourceWidth: w, sourceHeight: h, box: BoxSize(width: 50, height: 50), blurSigma: 2,
                                       shrinkOnLoad: .wholeBox)
            #expect(plan.dctScale == 8)
            #expect(plan.decodedWidth == (w + plan.boxShrink - 1) / plan.boxShrink)
            if plan.boxShrink > 1 {
                #expect(Double(w) / Double(plan.boxShrink) >= 2 * Double(plan.outputWidth))
                #expect(Double(h) / Double(plan.boxShrink) >= 2 * Double(plan.outputHeight))
            }
            // No larger whole factor would still leave 2x.
            let next = plan.boxShrink + 1
            #expect(Double(w) / Double(next) < 2 * Double(plan.outputWidth) || Double(h) / Double(next) < 2 * Double(plan.outputHeight))
            #expect(abs(plan.blurSigma - 2 / Double(plan.boxShrink)) < 1e-12)
        }
        let big = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 50, height: 50), blurSigma: 2,
                                  shrinkOnLoad: .wholeBox)
        #expect(big.boxShrink == 51 && big.decodedWidth == 101 && big.decodedHeight == 57)
        // Dropping the box shrink gives the plain full-size plan.
        let full = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 50, height: 50), blurSigma: 2,
                                   shrinkOnLoad: .none)
        #expect(big.withoutBoxShrink().decodedWidth == full.decodedWidth && big.withoutBoxShrink().boxShrink == 1)
        #expect(abs(big.withoutBoxShrink().blurSigma - full.blurSigma) < 1e-12)
        #expect(big.withoutBoxShrink().decodedExtentX == full.decodedExtentX)
    }

    @Test(arguments: [BoxSize(width: 50, height: 50), BoxSize(width: 256, height: 256), BoxSize(width: nil, height: 120)])
    func scalingDecodersDecodeAtTheSmallestSizeLeavingTwiceTheOutput(box: BoxSize) {
        for w in Self.sides {
            for h in Self.sides {
                let plan = ShrinkPlan.make(sourceWidth: w, sourceHeight: h, box: box, blurSigma: 2, shrinkOnLoad: .anyScale)
                let fitted = ThumbnailSize.fit(width: w, height: h, in: box)
                #expect(plan.outputWidth == fitted.width && plan.outputHeight == fitted.height)
                #expect(plan.dctScale == 8 && plan.boxShrink == 1)
                #expect(plan.decodedWidth <= w && plan.decodedHeight <= h)
                guard plan.scaledOnLoad else {
                    // Not scaled: the source is already less than twice the output on one side.
                    #expect(plan.decodedWidth == w && plan.decodedHeight == h && plan.blurSigma == 2)
                    #expect(w <= 2 * plan.outputWidth || h <= 2 * plan.outputHeight, "\(w)x\(h) \(plan)")
                    continue
                }
                #expect(plan.decodedWidth >= 2 * plan.outputWidth && plan.decodedHeight >= 2 * plan.outputHeight, "\(w)x\(h) \(plan)")
                // The tighter side is within one pixel of 2x: no larger decode than needed.
                #expect(plan.decodedWidth <= 2 * plan.outputWidth + 1 || plan.decodedHeight <= 2 * plan.outputHeight + 1,
                        "\(w)x\(h) \(plan)")
                // The decoded grid spans the whole picture; the blur shrinks with it.
                #expect(plan.decodedExtentX == Double(plan.decodedWidth) && plan.decodedExtentY == Double(plan.decodedHeight))
                let ratio = (Double(plan.decodedWidth) / Double(w) + Double(plan.decodedHeight) / Double(h)) / 2
                #expect(abs(plan.blurSigma - 2 * ratio) < 1e-9)
            }
        }
        let big = ShrinkPlan.make(sourceWidth: 16383, sourceHeight: 16383, box: BoxSize(width: 50, height: 50), blurSigma: 2,
                                  shrinkOnLoad: .anyScale)
        #expect(big.decodedWidth == 100 && big.decodedHeight == 100 && big.scaledOnLoad)
    }

    @Test func oneScaledDecodeServesSeveralSizes() {
        let small = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 50, height: 50), blurSigma: 2,
                                    shrinkOnLoad: .anyScale)
        let large = ShrinkPlan.make(sourceWidth: 5120, sourceHeight: 2880, box: BoxSize(width: 640, height: 640), blurSigma: 2,
                                    shrinkOnLoad: .anyScale)
        let shared = small.scaled(toWidth: large.decodedWidth, height: large.decodedHeight)
        #expect(shared.decodedWidth == large.decodedWidth && shared.outputWidth == small.outputWidth)
        #expect(abs(shared.blurSigma - large.blurSigma) < 1e-9)
        #expect(shared.horizontalWeights.inputSize == large.decodedWidth)
        // Back at full size, nothing is scaled and the blur is the source's.
        let whole = small.scaled(toWidth: 5120, height: 2880)
        #expect(!whole.scaledOnLoad && abs(whole.blurSigma - 2) < 1e-9 && whole.decodedExtentX == 5120)
    }
}
