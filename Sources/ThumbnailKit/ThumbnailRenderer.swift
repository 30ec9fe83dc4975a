/// Makes the thumbnails of one source image: sniff, read the header, plan, decode at the planned
/// scale, blur and resample in one separable pass, encode, write atomically. The one call a worker
/// makes per file. Keeps its codec handles between images.
public final class ThumbnailRenderer {
    public let spec: ThumbnailSpec
    private var jpegDecoder: JPEGDecoder?
    private var jpegEncoder: JPEGEncoder?

    public init(spec: ThumbnailSpec) {
        self.spec = spec
    }

    /// Renders `input` into every one of `outputs`. Throws the reason the image failed; nothing is
    /// left at an output path that was not completely written.
    public func render(input: String, outputs: [OutputRequest]) throws(CodecError) -> RenderResult {
        let (format, decoded) = try reduce(input, outputs, fingerprint: true)
        var records: [OutputRecord] = []
        for (image, output) in zip(decoded.images, outputs) {
            let bytes = try encode(image, as: spec.format ?? format, iccProfile: decoded.iccProfile)
            let path = OutputNaming.resolve(output.path, width: image.width, height: image.height)
            try FileIO.writeAtomically(bytes, to: path)
            records.append(OutputRecord(path: path, width: image.width, height: image.height, bytes: bytes.count,
                                        box: output.box.description))
        }
        return RenderResult(sourceWidth: decoded.uprightSize.0, sourceHeight: decoded.uprightSize.1, outputs: records,
                            fingerprint: decoded.fingerprint)
    }

    /// Decodes and reduces without writing anything: the thumbnails' pixels, one per box.
    public func thumbnails(of input: String, boxes: [BoxSize]) throws(CodecError) -> [PixelBuffer] {
        try reduce(input, boxes.map { OutputRequest(path: "", box: $0) }, fingerprint: false).1.images
    }

    /// Like `thumbnails(of:boxes:)`, with the source's format and upright size (the desktop
    /// thumbnail cache records them).
    public func thumbnailsAndSource(of input: String, boxes: [BoxSize]) throws(CodecError)
        -> (images: [PixelBuffer], format: ImageFormat, width: Int, height: Int) {
        let (format, decoded) = try reduce(input, boxes.map { OutputRequest(path: "", box: $0) }, fingerprint: false)
        return (decoded.images, format, decoded.uprightSize.0, decoded.uprightSize.1)
    }

    /// The whole image at full size, as decoded (for tests and tools).
    public func decodeWhole(_ input: String) throws(CodecError) -> PixelBuffer {
        switch try Self.sniff(input) {
        case .jpeg:
            let data = try FileIO.readAll(path: input)
            let decoder = try jpeg()
            return try decoder.decode(data, header: try decoder.readHeader(data), eighths: 8)
        case .png:
            return try PNGDecoder(path: input, maxDimension: 1 << 20).readImage()
        }
    }

    /// The format of `input` from its first bytes.
    private static func sniff(_ input: String) throws(CodecError) -> ImageFormat {
        let head = try FileIO.readPrefix(path: input, count: 8)
        if head.isEmpty { throw .empty }
        guard let format = ImageFormat.sniff(head) else { throw .notAnImage }
        return format
    }

    /// Decodes `input` and reduces it to every output's size.
    private func reduce(_ input: String, _ outputs: [OutputRequest], fingerprint: Bool) throws(CodecError) -> (ImageFormat, Decoded) {
        let format = try Self.sniff(input)
        switch format {
        case .jpeg:
            let data = try FileIO.readAll(path: input)
            var decoded = try renderJPEG(data, outputs)
            // The bytes are in memory already: fingerprinting them costs no read.
            if fingerprint { decoded.fingerprint = FileIO.fingerprint(bytes: data) }
            return (format, decoded)
        case .png:
            return (format, try renderPNG(input, outputs, fingerprint: fingerprint))
        }
    }

    private func jpeg() throws(CodecError) -> JPEGDecoder {
        if let jpegDecoder { return jpegDecoder }
        let decoder = try JPEGDecoder()
        jpegDecoder = decoder
        return decoder
    }

    private func checkPixels(_ width: Int, _ height: Int) throws(CodecError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > spec.maxPixels {
            throw .tooManyPixels(width: width, height: height, limit: spec.maxPixels)
        }
    }

    /// The thumbnails of one source, upright, with what the encoder needs to know of the source.
    private struct Decoded {
        var images: [PixelBuffer]
        /// The source's size as shown (after EXIF orientation).
        var uprightSize: (Int, Int)
        var iccProfile: [UInt8]?
        /// `FileIO.fingerprint` of the source's bytes, when asked for.
        var fingerprint = ""
    }

    private func renderJPEG(_ data: [UInt8], _ outputs: [OutputRequest]) throws(CodecError) -> Decoded {
        let decoder = try jpeg()
        let header = try decoder.readHeader(data)
        try checkPixels(header.width, header.height)
        let orientation = spec.autoRotate ? EXIFOrientation.read(jpeg: data) : 1
        let transposed = EXIFOrientation.swapsAxes(orientation)
        let plans = outputs.map {
            ShrinkPlan.make(sourceWidth: header.width, sourceHeight: header.height, box: $0.box,
                            blurSigma: spec.blurSigma, transposed: transposed, shrinkOnLoad: true)
        }
        // One decode serves every size: at the scale the largest thumbnail needs.
        let eighths = plans.map(\.dctScale).max() ?? 8
        let decoded = try decoder.decode(data, header: header, eighths: eighths)
        // Reduce in stored orientation, then turn the small result upright: the filter is
        // separable and each axis has its own weights, so this equals rotating first.
        let images = plans.map { plan in
            let reducer = makeReducer(plan.decoded(atEighths: eighths), channels: decoded.channels)
            reducer.consume(decoded)
            return reducer.finish().oriented(orientation)
        }
        let size = transposed ? (header.height, header.width) : (header.width, header.height)
        return Decoded(images: images, uprightSize: size, iccProfile: spec.keepICC ? ICCProfile.extract(jpeg: data) : nil)
    }

    private func renderPNG(_ input: String, _ outputs: [OutputRequest], fingerprint: Bool) throws(CodecError) -> Decoded {
        let decoder = try PNGDecoder(path: input, maxDimension: 1 << 20, deinterlace: false, fingerprinting: fingerprint)
        try checkPixels(decoder.width, decoder.height)
        let plans = outputs.map { output in
            ShrinkPlan.make(sourceWidth: decoder.width, sourceHeight: decoder.height, box: output.box,
                            blurSigma: spec.blurSigma, shrinkOnLoad: false, boxShrink: true)
        }
        let images: [PixelBuffer]
        if decoder.interlaced {
            images = try reduceInterlaced(decoder, plans)
        } else {
            let reducers = plans.map { makeReducer($0, channels: decoder.channels) }
            try decoder.readRows { row in
                for reducer in reducers { reducer.consume(row: row) }
            }
            images = reducers.map { $0.finish() }
        }
        return Decoded(images: images, uprightSize: (decoder.width, decoder.height),
                       iccProfile: spec.keepICC ? decoder.iccProfile : nil,
                       fingerprint: fingerprint ? try decoder.fingerprint() : "")
    }

    /// Adam7 passes arrive sparse and out of row order. Each size gets block sums when its box
    /// shrink leaves a small grid (the usual thumbnail), else the full-size sparse filter, whose
    /// memory is the output's.
    private func reduceInterlaced(_ decoder: PNGDecoder, _ plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer] {
        let gridLimit = 64 << 20
        let reducers: [any PassRowReducer] = plans.map { plan in
            if plan.boxShrink > 1 && InterlacedBoxShrinker.gridBytes(width: decoder.width, height: decoder.height,
                                                                      boxShrink: plan.boxShrink) <= gridLimit {
                return InterlacedBoxShrinker(sourceWidth: decoder.width, sourceHeight: decoder.height,
                                             channels: decoder.channels, boxShrink: plan.boxShrink,
                                             horizontal: plan.horizontalWeights, vertical: plan.verticalWeights)
            }
            let full = plan.withoutBoxShrink()
            return InterlacedReducer(sourceWidth: decoder.width, sourceHeight: decoder.height, channels: decoder.channels,
                                     horizontal: full.horizontalWeights, vertical: full.verticalWeights)
        }
        try decoder.readPassRows { row, place in
            for reducer in reducers { reducer.consume(row: row, at: place) }
        }
        return reducers.map { $0.finish() }
    }

    private func makeReducer(_ plan: ShrinkPlan, channels: Int) -> SeparableReducer {
        // A DCT-scaled JPEG arrives at the decoded size; a PNG arrives whole and is box-shrunk.
        let width = plan.boxShrink > 1 ? plan.sourceWidth : plan.decodedWidth
        let height = plan.boxShrink > 1 ? plan.sourceHeight : plan.decodedHeight
        return SeparableReducer(sourceWidth: width, sourceHeight: height, channels: channels,
                                horizontal: plan.horizontalWeights, vertical: plan.verticalWeights, boxShrink: plan.boxShrink)
    }

    private func encode(_ image: PixelBuffer, as format: ImageFormat, iccProfile: [UInt8]?) throws(CodecError) -> [UInt8] {
        switch format {
        case .png:
            let profile = iccProfile.flatMap { ICCProfile.fits($0, colorChannels: image.colorChannels) ? $0 : nil }
            return try PNGEncoder.encode(image, level: spec.pngLevel, iccProfile: profile)
        case .jpeg:
            if jpegEncoder == nil { jpegEncoder = try JPEGEncoder() }
            let flat = image.flattened(onto: spec.background)
            let bytes = try jpegEncoder!.encode(flat, quality: spec.quality, progressive: spec.progressive)
            guard let profile = iccProfile, ICCProfile.fits(profile, colorChannels: flat.colorChannels) else { return bytes }
            return ICCProfile.embed(profile, inJPEG: bytes)
        }
    }
}
