import Testing
@testable import ThumbnailKit

@Suite struct ResampleWeightsTests {
    static let sizePairs = [(1, 1), (10, 10), (10, 3), (100, 7), (640, 50), (7, 5), (2880, 28), (3, 1), (1000, 999)]

    @Test(arguments: sizePairs)
    func weightsSumToOne(input: Int, output: Int) {
        for weights in [ResampleWeights.lanczos3(from: input, to: output),
                        GaussianBlur.apply(sigma: 2, before: .lanczos3(from: input, to: output))] {
            #expect(weights.outputSize == output)
            for x in 0..<output {
                let sum = weights.taps(x).reduce(0) { $0 + $1.weight }
                #expect(abs(sum - 1) < 1e-5, "output \(x): \(sum)")
                for tap in weights.taps(x) { #expect(tap.input >= 0 && tap.input < input) }
            }
        }
    }

    @Test func sameSizeIsTheIdentity() {
        let weights = ResampleWeights.lanczos3(from: 9, to: 9)
        for x in 0..<9 {
            let taps = weights.taps(x)
            #expect(taps.count == 1 && taps[0].input == x && abs(taps[0].weight - 1) < 1e-7)
        }
    }

    @Test func weightsAreMirrorSymmetric() {
        let weights = GaussianBlur.apply(sigma: 1.5, before: .lanczos3(from: 300, to: 40))
        for x in 0..<40 {
            let a = weights.taps(x), b = weights.taps(39 - x)
            #expect(a.count == b.count)
            for (p, q) in zip(a, b.reversed()) {
                #expect(p.input == 299 - q.input)
                #expect(abs(p.weight - q.weight) < 1e-6)
            }
        }
    }

    @Test func lanczosKernel() {
        #expect(ResampleWeights.lanczos3(0) == 1)
        for n in [1.0, 2.0, -1.0, -2.0] { #expect(abs(ResampleWeights.lanczos3(n)) < 1e-12) }
        #expect(ResampleWeights.lanczos3(3) == 0 && ResampleWeights.lanczos3(-3.5) == 0)
        #expect(ResampleWeights.lanczos3(0.5) > 0.6 && ResampleWeights.lanczos3(1.5) < 0)
    }
}
