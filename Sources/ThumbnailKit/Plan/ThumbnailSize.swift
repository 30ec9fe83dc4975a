/// Pillow's `Image.thumbnail` size rule, to the pixel.
public enum ThumbnailSize {
    /// The size `Image.thumbnail((box.width, box.height))` gives a `width` x `height` image: aspect
    /// kept, never enlarged, and of the two whole-pixel neighbours of the exact side the one whose
    /// aspect ratio is closest to the source's (the smaller one on a tie, as Python's `min` does).
    /// A side missing from the box does not bound the result.
    public static func fit(width: Int, height: Int, in box: BoxSize) -> (width: Int, height: Int) {
        precondition(width > 0 && height > 0, "image sides must be positive")
        // An unbounded side is the same as a bound equal to the image's own side.
        let bx = box.width ?? width
        let by = box.height ?? height
        if bx >= width && by >= height { return (width, height) }
        let aspect = Double(width) / Double(height)
        var x = bx
        var y = by
        // The same double arithmetic as Pillow's preserve_aspect_ratio().
        if Double(x) / Double(y) >= aspect {
            x = roundAspect(Double(y) * aspect) { n in abs(aspect - Double(n) / Double(y)) }
        } else {
            let fixedX = x
            y = roundAspect(Double(x) / aspect) { n in n == 0 ? 0 : abs(aspect - Double(fixedX) / Double(n)) }
        }
        return (x, y)
    }

    private static func roundAspect(_ number: Double, key: (Int) -> Double) -> Int {
        let low = Int(number.rounded(.down))
        let high = Int(number.rounded(.up))
        // Python's min() keeps the first of equal keys: floor wins ties.
        let best = key(high) < key(low) ? high : low
        return max(best, 1)
    }
}
