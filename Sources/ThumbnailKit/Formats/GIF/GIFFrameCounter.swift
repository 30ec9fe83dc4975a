/// Counts the frames of a GIF by walking its blocks (extensions and image descriptors, skipping
/// their data sub-blocks) without decoding any: giflib can only count by decoding every frame.
enum GIFFrameCounter {
    /// The image descriptors in `data`; counting stops where the file is damaged or ends.
    static func count(_ data: [UInt8]) -> Int {
        guard data.count >= 13 else { return 0 }
        var at = 13
        if data[10] & 0x80 != 0 { at += 3 << (Int(data[10] & 7) + 1) }
        var frames = 0
        /// Skips data sub-blocks from `at`; false when the file ends first.
        func skipSubBlocks() -> Bool {
            while at < data.count {
                let length = Int(data[at])
                at += 1 + length
                if length == 0 { return at <= data.count }
            }
            return false
        }
        while at < data.count {
            switch data[at] {
            case 0x21:
                at += 2
                guard skipSubBlocks() else { return frames }
            case 0x2C:
                guard at + 10 <= data.count else { return frames }
                let flags = data[at + 9]
                at += 10
                if flags & 0x80 != 0 { at += 3 << (Int(flags & 7) + 1) }
                at += 1 // LZW minimum code size
                guard at <= data.count, skipSubBlocks() else { return frames }
                frames += 1
            case 0x3B:
                return frames
            default:
                // A byte that starts no block is skipped, as Pillow (which counts frames the
                // same way) skips it.
                at += 1
            }
        }
        return frames
    }
}
