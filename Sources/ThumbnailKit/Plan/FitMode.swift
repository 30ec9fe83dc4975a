/// How a thumbnail meets its box (`--fit`).
public enum FitMode: String, Codable, Sendable, CaseIterable {
    /// The whole picture inside the box, aspect kept (Pillow's `Image.thumbnail`).
    case contain
    /// The box filled exactly, the overflow cropped away (never enlarged: a source smaller than the
    /// box gives the largest crop of the box's shape it holds).
    case cover
}

/// Which part of the picture `--fit cover` keeps (`--crop`).
public enum CropAnchor: String, Codable, Sendable, CaseIterable {
    /// The middle.
    case centre
    /// The region richest in edges, saturated colour and skin tones (`AttentionCrop`).
    case attention
}
