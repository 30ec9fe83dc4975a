/// Makes the thumbnails of one source image: sniff, open (header), plan, decode-and-reduce at the
/// shrink-on-load the format offers, turn upright, encode, write atomically. The one call a worker
/// makes per file. Knows no format: each is a row of `FormatTable` and a source and an encoder
/// behind `ImageSource` and `ThumbnailEncoder`. Keeps its codec handles between images.
public final class ThumbnailRenderer {
    public let spec: ThumbnailSpec
    private let handles = CodecHandles()
    private var encoders: [ImageFormat: any ThumbnailEncoder] = [:]

    public init(spec: ThumbnailSpec) {
        self.spec = spec
    }

    /// Renders `input` into every one of `outputs`. Throws the reason the image failed; nothing is
    /// left at an output path that was not completely written.
    public func render(input: String, outputs: [OutputRequest]) throws(CodecError) -> RenderResult {
        let (entry, source) = try open(input, fingerprinting: true)
        let images = try reduce(source, outputs.map(\.box))
        let format = Self.outputFormat(spec.format, source: entry, hasAlpha: source.header.hasAlpha)
        let encoder = try self.encoder(for: format)
        let iccProfile = spec.keepICC ? source.header.iccProfile : nil
        var records: [OutputRecord] = []
        for (image, output) in zip(images, outputs) {
            let path = OutputNaming.resolve(output.path, width: image.width, height: image.height, format: format)
            // Boxes that give the same size under a `{width}` name are one thumbnail (the same
            // plan, the same pixels): written and listed once.
            if records.contains(where: { $0.path == path }) { continue }
            let bytes = try encoder.encode(image, iccProfile: iccProfile, spec: spec)
            try FileIO.writeAtomically(bytes, to: path)
            records.append(OutputRecord(path: path, width: image.width, height: image.height, bytes: bytes.count,
                                        box: output.box.description))
        }
        let upright = uprightSize(source.header)
        return RenderResult(sourceWidth: upright.0, sourceHeight: upright.1, outputs: records,
                            fingerprint: try source.fingerprint())
    }

    /// The format thumbnails are written in: `--format`'s, else the source's own, else (a format
    /// the tool reads but does not write: HEIC, GIF, TIFF) JPEG, or PNG when the source has alpha.
    static func outputFormat(_ requested: ImageFormat?, source: FormatEntry, hasAlpha: Bool) -> ImageFormat {
        if let requested { return requested }
        if source.encoder != nil { return source.format }
        return hasAlpha ? .png : .jpeg
    }

    /// Decodes and reduces without writing anything: the thumbnails' pixels, one per box.
    public func thumbnails(of input: String, boxes: [BoxSize]) throws(CodecError) -> [PixelBuffer] {
        try reduce(try open(input, fingerprinting: false).1, boxes)
    }

    /// Like `thumbnails(of:boxes:)`, with the source's format and upright size (the desktop
    /// thumbnail cache records them).
    public func thumbnailsAndSource(of input: String, boxes: [BoxSize]) throws(CodecError)
        -> (images: [PixelBuffer], format: ImageFormat, width: Int, height: Int) {
        let (entry, source) = try open(input, fingerprinting: false)
        let upright = uprightSize(source.header)
        return (try reduce(source, boxes), entry.format, upright.0, upright.1)
    }

    /// The whole image at full size, as decoded (for tests and tools).
    public func decodeWhole(_ input: String) throws(CodecError) -> PixelBuffer {
        try open(input, fingerprinting: false).1.decodeWhole()
    }

    /// Sniffs `input` and opens it with its format's source (which reads the header).
    private func open(_ input: String, fingerprinting: Bool) throws(CodecError) -> (FormatEntry, any ImageSource) {
        let head = try FileIO.readPrefix(path: input, count: FormatTable.sniffLength)
        if head.isEmpty { throw .empty }
        guard let entry = FormatTable.sniff(head) else { throw .notAnImage }
        return (entry, try entry.source.init(path: input, handles: handles, fingerprinting: fingerprinting))
    }

    /// The thumbnails of `source` for `boxes`, upright.
    private func reduce(_ source: any ImageSource, _ boxes: [BoxSize]) throws(CodecError) -> [PixelBuffer] {
        let header = source.header
        let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        if overflow || pixels > spec.maxPixels {
            throw .tooManyPixels(width: header.width, height: header.height, limit: spec.maxPixels)
        }
        let orientation = orientation(header)
        let plans = boxes.map { box in
            ShrinkPlan.make(sourceWidth: header.width, sourceHeight: header.height, box: box, blurSigma: spec.blurSigma,
                            transposed: EXIFOrientation.swapsAxes(orientation), shrinkOnLoad: source.shrinkOnLoad)
        }
        // Reduced in stored orientation, then the small result turned upright: the filter is
        // separable and each axis has its own weights, so this equals rotating first.
        return try source.reduce(into: plans).map { $0.oriented(orientation) }
    }

    private func orientation(_ header: ImageHeader) -> Int {
        spec.autoRotate ? header.orientation : 1
    }

    /// The source's size as shown (after orientation).
    private func uprightSize(_ header: ImageHeader) -> (Int, Int) {
        EXIFOrientation.swapsAxes(orientation(header)) ? (header.height, header.width) : (header.width, header.height)
    }

    /// The kept encoder of `format`.
    private func encoder(for format: ImageFormat) throws(CodecError) -> any ThumbnailEncoder {
        if let kept = encoders[format] { return kept }
        guard let type = format.entry.encoder else { throw .unsupported("\(format.entry.name) is not written") }
        let made = try type.init()
        encoders[format] = made
        return made
    }
}
