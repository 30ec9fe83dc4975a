/// One image file of one format, opened: the seam every input format plugs into (as libvips'
/// loaders and Pillow's plugins do). A source recognises its format from the first bytes, reads
/// its header on opening, says which shrink-on-load it offers, and decodes straight into the
/// reductions the plans ask for. The renderer knows nothing else about a format.
public protocol ImageSource: AnyObject {
    /// How many leading bytes `matches` needs to see.
    static var signatureLength: Int { get }

    /// True when `head` (the file's first bytes, possibly fewer than `signatureLength` for a short
    /// file) starts with this format's signature.
    static func matches(_ head: [UInt8]) -> Bool

    /// Opens the file at `path` and reads its header, without decoding pixels.
    /// - Parameters:
    ///   - handles: codec handles kept between images by the one renderer of a worker.
    ///   - fingerprinting: the source will be asked for `fingerprint()` after decoding.
    init(path: String, handles: CodecHandles, fingerprinting: Bool) throws(CodecError)

    /// What the header says.
    var header: ImageHeader { get }

    /// The reduction the decoder can make while decoding.
    var shrinkOnLoad: ShrinkOnLoad { get }

    /// Decodes the first frame once and reduces it by every plan (made with this source's
    /// `shrinkOnLoad`), giving one thumbnail per plan in stored orientation.
    func reduce(into plans: [ShrinkPlan]) throws(CodecError) -> [PixelBuffer]

    /// The first frame at full size, as decoded (for tests and tools). Call it instead of `reduce`.
    func decodeWhole() throws(CodecError) -> PixelBuffer

    /// `FileIO.fingerprint` of the file's bytes, once it has been decoded. Needs `fingerprinting`.
    func fingerprint() throws(CodecError) -> String
}
