/// Makes the thumbnails of one source image: sniff, open (header), plan, decode-and-reduce at the
/// shrink-on-load the format offers, turn upright, encode, write atomically. The one call a worker
/// makes per file. Knows no format: each is a row of `FormatTable` and a source and an encoder
/// behind `ImageSource` and `ThumbnailEncoder`. Keeps its codec handles between images.
public final class ThumbnailRenderer {
    public let spec: ThumbnailSpec
    private let handles = CodecHandles()
    private var encoders: [ImageFormat: any ThumbnailEncoder] = [:]
    /// `--icc convert`'s Little CMS transforms, kept per profile for the life of the renderer.
    private let colour = SRGBConversion()

    public init(spec: ThumbnailSpec) {
        self.spec = spec
    }

    /// Renders `input` into every one of `outputs`. Throws the reason the image failed; nothing is
    /// left at an output path that was not completely written.
    public func render(input: String, outputs: [OutputRequest]) throws(CodecError) -> RenderResult {
        let (entry, source) = try open(input, fingerprinting: true)
        // Each box reduced once, whatever number of formats it is written in.
        var boxes: [BoxSize] = []
        for output in outputs where !boxes.contains(output.box) { boxes.append(output.box) }
        var images = try reduceForRender(input, source, boxes)
        var placeholders: Placeholders? = nil
        if !spec.placeholders.isEmpty {
            // The placeholders' image had a plan of its own only when the first thumbnail is too
            // small to make it from (see `renderPlans`).
            let small = images.count > boxes.count ? images.removeLast() : PlaceholderMaker.reduced(images[0], into: PlaceholderMaker.box)
            placeholders = PlaceholderMaker.make(spec.placeholders, from: small, background: spec.background)
        }
        if spec.sharpen { images = images.map { $0.sharpened() } }
        // Converted pixels (and ones whose profile could not convert them) carry no profile.
        let iccProfile = spec.icc == .keep ? source.header.iccProfile : nil
        var records: [OutputRecord] = []
        for output in outputs {
            let image = images[boxes.firstIndex(of: output.box)!]
            let format = Self.outputFormat(output.format ?? spec.format, source: entry, hasAlpha: source.header.hasAlpha)
            let encoder = try self.encoder(for: format)
            let path = OutputNaming.resolve(output.path, width: image.width, height: image.height, format: format)
            // Boxes that give the same size under a `{width}` name are one thumbnail (the same
            // plan, the same pixels): written and listed once.
            if records.contains(where: { $0.path == path }) { continue }
            var record = OutputRecord(path: path, width: image.width, height: image.height, bytes: 0, box: output.box.description)
            record.format = format.rawValue
            let bytes: [UInt8]
            // A budget searches the quality of lossy outputs.
            if let budget = spec.maxBytes, let lossy = encoder as? any LossyThumbnailEncoder, type(of: lossy).searchesQuality(spec) {
                let fitted = try BudgetedEncoding.encode(image, iccProfile: iccProfile, spec: spec, maxBytes: budget, with: encoder)
                bytes = fitted.bytes
                record.quality = fitted.quality
                record.overBudget = fitted.overBudget
            } else {
                bytes = try encoder.encode(image, iccProfile: iccProfile, spec: spec)
            }
            try FileIO.writeAtomically(bytes, to: path)
            record.bytes = bytes.count
            records.append(record)
        }
        let upright = uprightSize(source.header)
        return RenderResult(sourceWidth: upright.0, sourceHeight: upright.1, outputs: records,
                            fingerprint: try source.fingerprint(), placeholders: placeholders)
    }

    /// The thumbnails of `boxes`, upright, and last (with `--placeholder`) the placeholders' small
    /// image, all from one decode. With `--crop attention`, each box's crop is centred on the focus
    /// found in a 64-pixel reduction of the picture: from the same decoded frame when the source
    /// holds one (JPEG), else from a first decode of its own (the source opened again; for PNG a
    /// second read of the rows).
    private func reduceForRender(_ input: String, _ source: any ImageSource, _ boxes: [BoxSize]) throws(CodecError) -> [PixelBuffer] {
        let header = source.header
        try checkPixels(header)
        let orientation = orientation(header)
        let centre = boxes.map { _ in (x: 0.5, y: 0.5) }
        guard let windows = attentionWindows(header, boxes) else {
            return toSRGB(try source.reduce(into: renderPlans(source, boxes, focus: centre)).map { $0.oriented(orientation) }, header)
        }
        let side = AttentionCrop.analysisSide
        let analysisPlan = ShrinkPlan.make(sourceWidth: header.width, sourceHeight: header.height, box: BoxSize(width: side, height: side),
                                           blurSigma: 0, shrinkOnLoad: source.shrinkOnLoad, orientation: orientation)
        let reduced: [PixelBuffer]
        if let held = source as? any HeldDecodeSource {
            reduced = try held.reduce(scaledFor: renderPlans(source, boxes, focus: centre), analysis: analysisPlan) { analysis in
                renderPlans(source, boxes, focus: focus(analysis.oriented(orientation), header, windows))
            }
        } else {
            let (_, again) = try open(input, fingerprinting: false)
            let analysis = try again.reduce(into: [analysisPlan])[0].oriented(orientation)
            reduced = try source.reduce(into: renderPlans(source, boxes, focus: focus(analysis, header, windows)))
        }
        return toSRGB(reduced.map { $0.oriented(orientation) }, header)
    }

    /// Under `--icc convert`, `images` (the small results, alpha straight) converted from the
    /// source's profile to sRGB. Left as they are without a profile, with one that does not
    /// describe these pixels (a CMYK JPEG's, applied while decoding) or with one Little CMS cannot
    /// read: a damaged profile never fails an image, it is rendered unconverted.
    private func toSRGB(_ images: [PixelBuffer], _ header: ImageHeader) -> [PixelBuffer] {
        guard spec.icc == .convert, let profile = header.iccProfile else { return images }
        return images.map { colour.toSRGB($0, from: profile) ?? $0 }
    }

    /// The plan of each box (`focus`: each one's crop centre) and, with `--placeholder` when the
    /// first thumbnail is smaller than `PlaceholderMaker.box`, the placeholders' plan last. A
    /// first thumbnail at least that big is the same window, blurred alike, and is reduced to make
    /// the placeholders instead: a plan of its own cost every decoded row a second reduction
    /// (+25% of the seed job's CPU, measured on the mate photos).
    private func renderPlans(_ source: any ImageSource, _ boxes: [BoxSize], focus: [(x: Double, y: Double)]) -> [ShrinkPlan] {
        let header = source.header
        var plans = zip(boxes, focus).map { box, focus in
            ShrinkPlan.make(sourceWidth: header.width, sourceHeight: header.height, box: box, blurSigma: spec.blurSigma,
                            shrinkOnLoad: source.shrinkOnLoad, fit: spec.fit, focus: focus, orientation: orientation(header))
        }
        let placeholderSide = max(PlaceholderMaker.box.width ?? 0, PlaceholderMaker.box.height ?? 0)
        if !spec.placeholders.isEmpty, let first = boxes.first, let firstPlan = plans.first,
           max(firstPlan.outputWidth, firstPlan.outputHeight) < placeholderSide {
            plans.append(placeholderPlan(source, first, focus: focus.first ?? (0.5, 0.5)))
        }
        return plans
    }

    /// With `--fit cover --crop attention`, each box's crop window (upright; placed later), or nil
    /// when there is nothing to choose (not asked, or every window is the whole picture).
    private func attentionWindows(_ header: ImageHeader, _ boxes: [BoxSize]) -> [CropWindow]? {
        guard spec.fit == .cover, spec.crop == .attention else { return nil }
        let upright = uprightSize(header)
        let windows = boxes.map { CropWindow.fitting(width: upright.0, height: upright.1, box: $0, fit: .cover, focus: (0.5, 0.5)).window }
        if windows.allSatisfy({ $0.width == upright.0 && $0.height == upright.1 }) { return nil }
        return windows
    }

    /// Each window's focus in `analysis`, the upright picture reduced.
    private func focus(_ analysis: PixelBuffer, _ header: ImageHeader, _ windows: [CropWindow]) -> [(x: Double, y: Double)] {
        let upright = uprightSize(header)
        return windows.map {
            AttentionCrop.focus(in: analysis, pictureWidth: upright.0, pictureHeight: upright.1,
                                windowWidth: $0.width, windowHeight: $0.height)
        }
    }

    /// The plan of the placeholders' small image: the first box's window (the whole picture, or
    /// its `cover` crop) fitted into `PlaceholderMaker.box`, so placeholders look like the thumbnail.
    private func placeholderPlan(_ source: any ImageSource, _ box: BoxSize, focus: (x: Double, y: Double)) -> ShrinkPlan {
        let header = source.header
        let upright = uprightSize(header)
        let window = CropWindow.fitting(width: upright.0, height: upright.1, box: box, fit: spec.fit, focus: focus).window
        let size = ThumbnailSize.fit(width: window.width, height: window.height, in: PlaceholderMaker.box)
        return ShrinkPlan.make(sourceWidth: header.width, sourceHeight: header.height, window: window, outputWidth: size.width,
                               outputHeight: size.height, blurSigma: spec.blurSigma, orientation: orientation(header),
                               shrinkOnLoad: source.shrinkOnLoad)
    }

    /// The format thumbnails are written in: `--format`'s, else the source's own, else (a format
    /// the tool reads but does not write: HEIC, GIF, TIFF) JPEG, or PNG when the source has alpha.
    static func outputFormat(_ requested: ImageFormat?, source: FormatEntry, hasAlpha: Bool) -> ImageFormat {
        if let requested { return requested }
        if source.encoder != nil { return source.format }
        return hasAlpha ? .png : .jpeg
    }

    /// Decodes and reduces without writing anything: the thumbnails' pixels, one per box, with the
    /// source's format and upright size (the desktop thumbnail cache records them).
    public func thumbnailsAndSource(of input: String, boxes: [BoxSize]) throws(CodecError)
        -> (images: [PixelBuffer], format: ImageFormat, width: Int, height: Int) {
        let (entry, source) = try open(input, fingerprinting: false)
        let upright = uprightSize(source.header)
        // The placeholders' image, when the spec asks for one, is not a thumbnail.
        return (Array(try reduceForRender(input, source, boxes).prefix(boxes.count)), entry.format, upright.0, upright.1)
    }

    /// Sniffs `input` and opens it with its format's source (which reads the header).
    private func open(_ input: String, fingerprinting: Bool) throws(CodecError) -> (FormatEntry, any ImageSource) {
        let head = try FileIO.readPrefix(path: input, count: FormatTable.sniffLength)
        if head.isEmpty { throw .empty }
        guard let entry = FormatTable.sniff(head) else { throw .notAnImage }
        let source = try entry.source.init(path: input, handles: handles, fingerprinting: fingerprinting)
        if spec.icc == .convert, let cmyk = source as? any CMYKConvertingSource { cmyk.cmykConversion = colour }
        return (entry, source)
    }

    private func checkPixels(_ header: ImageHeader) throws(CodecError) {
        let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        if overflow || pixels > spec.maxPixels {
            throw .tooManyPixels(width: header.width, height: header.height, limit: spec.maxPixels)
        }
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
