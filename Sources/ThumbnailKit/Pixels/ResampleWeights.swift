/// The weights of a one-axis linear filter from `inputSize` samples to `outputSize`: for each
/// output sample, the first input index it reads, how many it reads, and their weights, which sum
/// to 1. Computed once per axis and then applied to every row (or column), as Pillow's
/// `Resample.c` and stb_image_resize2's "contributors" do.
public struct ResampleWeights: Equatable, Sendable {
    public let inputSize: Int
    public let outputSize: Int
    /// First input index read by each output sample.
    public private(set) var starts: [Int]
    /// Number of input samples read by each output sample.
    public private(set) var counts: [Int]
    /// Weights, `stride` per output sample (only the first `counts[i]` are used).
    public private(set) var weights: [Float]
    /// Distance between two output samples' weights in `weights`.
    public private(set) var stride: Int

    /// The input samples any output sample reads (the weights' starts rise with the index).
    public var usedInputs: Range<Int> {
        let first = starts.min() ?? 0
        let last = zip(starts, counts).map { $0 + $1 }.max() ?? first
        return first..<max(first, last)
    }

    /// The weights of output sample `index`, paired with the input index each applies to.
    public func taps(_ index: Int) -> [(input: Int, weight: Double)] {
        (0..<counts[index]).map { (starts[index] + $0, Double(weights[index * stride + $0])) }
    }

    /// Lanczos-3 from `inputSize` to `outputSize` samples, exactly as Pillow's `precompute_coeffs`:
    /// the kernel is widened by the reduction factor, centred on each output sample's centre, and
    /// normalised after being cut at the edges.
    ///
    /// `inputExtent` is how many input samples the output spans, when that is not `inputSize`: a
    /// JPEG of 700 rows decoded at 1/8 has 88 rows, the last of them only half inside the picture,
    /// so the output spans 87.5 of them. Ignoring that would shift the thumbnail by up to half a
    /// decoded pixel.
    ///
    /// `offset` is where the span starts (a crop window's first sample), as Pillow's `resize(box=)`:
    /// the kernel still reads real samples beyond the window's edges, so a crop has no hard border.
    public static func lanczos3(from inputSize: Int, to outputSize: Int, inputExtent: Double? = nil,
                                offset: Double = 0) -> ResampleWeights {
        precondition(inputSize > 0 && outputSize > 0)
        let scale = (inputExtent ?? Double(inputSize)) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = 3.0 * filterScale
        var dense: [(start: Int, weights: [Double])] = []
        dense.reserveCapacity(outputSize)
        for x in 0..<outputSize {
            let center = offset + (Double(x) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), inputSize)
            var w = [Double]()
            w.reserveCapacity(max(hi - lo, 0))
            var total = 0.0
            for i in lo..<max(hi, lo) {
                let value = lanczos3((Double(i) - center + 0.5) / filterScale)
                w.append(value)
                total += value
            }
            if total != 0 { w = w.map { $0 / total } }
            dense.append((lo, w))
        }
        return ResampleWeights(inputSize: inputSize, dense: dense)
    }

    /// The Lanczos-3 kernel: sinc(x) sinc(x/3) on (-3, 3).
    public static func lanczos3(_ x: Double) -> Double {
        if x == 0 { return 1 }
        if x <= -3 || x >= 3 { return 0 }
        let px = Double.pi * x
        return 3 * sin(px) * sin(px / 3) / (px * px)
    }

    /// These weights applied after `passes` box blurs of `radius` (Pillow's extended box: whole
    /// taps within `floor(radius)`, a fractional tap beyond, edge samples repeated): the blur
    /// folded into the resampling, so blurring costs nothing per pixel. Exact, since both are linear.
    public func afterBoxBlur(radius: Double, passes: Int) -> ResampleWeights {
        guard radius > 0, passes > 0 else { return self }
        let whole = Int(radius)
        let inner = 1.0 / (2 * radius + 1)
        let outer = (radius - Double(whole)) / (2 * radius + 1)
        let reach = whole + 1
        var dense: [(start: Int, weights: [Double])] = []
        dense.reserveCapacity(outputSize)
        for x in 0..<outputSize {
            var start = starts[x]
            var w = (0..<counts[x]).map { Double(weights[x * stride + $0]) }
            for _ in 0..<passes {
                // Row vector times the blur matrix: each blurred sample i reads inputs clamp(i+d).
                let lo = max(start - reach, 0)
                let hi = min(start + w.count + reach, inputSize)
                var next = [Double](repeating: 0, count: hi - lo)
                for (k, value) in w.enumerated() where value != 0 {
                    let i = start + k
                    for d in -reach...reach {
                        let tap = abs(d) <= whole ? inner : outer
                        let j = min(max(i + d, 0), inputSize - 1)
                        next[j - lo] += value * tap
                    }
                }
                start = lo
                w = next
            }
            dense.append((start, w))
        }
        return ResampleWeights(inputSize: inputSize, dense: dense)
    }

    private init(inputSize: Int, dense: [(start: Int, weights: [Double])]) {
        // Trim zero weights at both ends so the hot loops read no more than they must.
        var trimmed: [(Int, ArraySlice<Double>)] = []
        for (start, w) in dense {
            // Lanczos is zero at whole-number offsets, but sin(pi * n) is not exactly 0 in floating
            // point: weights this small are noise and are dropped.
            var lo = w.startIndex, hi = w.endIndex
            while lo < hi && abs(w[lo]) < 1e-12 { lo += 1 }
            while hi > lo && abs(w[hi - 1]) < 1e-12 { hi -= 1 }
            if lo == hi {
                // All zero (cannot happen for a real kernel): read the nearest sample.
                let at = min(max(start, 0), inputSize - 1)
                trimmed.append((at, [1.0][...]))
            } else {
                trimmed.append((start + lo, w[lo..<hi]))
            }
        }
        let stride = max(trimmed.map { $0.1.count }.max() ?? 1, 1)
        var flat = [Float](repeating: 0, count: stride * trimmed.count)
        for (x, (_, w)) in trimmed.enumerated() {
            for (k, value) in w.enumerated() { flat[x * stride + k] = Float(value) }
        }
        self.inputSize = inputSize
        self.outputSize = trimmed.count
        self.starts = trimmed.map { $0.0 }
        self.counts = trimmed.map { $0.1.count }
        self.weights = flat
        self.stride = stride
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
