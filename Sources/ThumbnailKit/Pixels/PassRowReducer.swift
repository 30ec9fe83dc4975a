/// Reduces an Adam7-interlaced image from its pass rows, which arrive sparse and out of row
/// order: `InterlacedBoxShrinker` (block sums, for thumbnails) or `InterlacedReducer` (the
/// full-size filter, for outputs too large for a small block grid).
public protocol PassRowReducer: AnyObject {
    /// Adds one pass row: `place.count` packed pixels at columns `firstColumn + i * columnStep`
    /// of source row `place.y`.
    func consume(row source: UnsafePointer<UInt8>, at place: PNGDecoder.PassRow)
    /// The thumbnail, once every pass has been consumed.
    func finish() -> PixelBuffer
}
