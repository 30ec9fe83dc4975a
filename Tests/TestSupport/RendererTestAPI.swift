import ThumbnailKit

/// What tests ask of the renderer that the tool never does: pixels without files.
extension ThumbnailRenderer {
    /// The thumbnails' pixels, one per box, nothing written.
    public func thumbnails(of input: String, boxes: [BoxSize]) throws(CodecError) -> [PixelBuffer] {
        try thumbnailsAndSource(of: input, boxes: boxes).images
    }

    /// The whole image at full size, as its format's source decodes it.
    public func decodeWhole(_ input: String) throws(CodecError) -> PixelBuffer {
        let head = try FileIO.readPrefix(path: input, count: FormatTable.sniffLength)
        if head.isEmpty { throw .empty }
        guard let entry = FormatTable.sniff(head) else { throw .notAnImage }
        return try entry.source.init(path: input, handles: CodecHandles(), fingerprinting: false).decodeWhole()
    }
}
