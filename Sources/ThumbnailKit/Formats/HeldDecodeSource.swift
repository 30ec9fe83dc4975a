/// A source whose decode is a whole frame in memory anyway (JPEG, at its DCT scale): it can reduce
/// the frame once for an analysis, let the caller plan from that, and reduce the same frame again,
/// so `--crop attention` costs no second decode.
public protocol HeldDecodeSource: ImageSource {
    /// Decodes once, at the scale `scalePlans` and `analysis` need, reduces the frame by
    /// `analysis`, and then by the plans `replan` makes from that reduction (which must need no
    /// finer scale than `scalePlans`: a crop's position does not change its scale).
    func reduce(scaledFor scalePlans: [ShrinkPlan], analysis: ShrinkPlan,
                replan: (PixelBuffer) -> [ShrinkPlan]) throws(CodecError) -> [PixelBuffer]
}
