/// Codec handles kept for the life of a worker (a TurboJPEG decompressor, say): sources take theirs
/// from here instead of starting a new one per image.
public final class CodecHandles {
    private var handles: [ObjectIdentifier: AnyObject] = [:]

    public init() {}

    /// The kept handle of `type`, made with `make` the first time.
    public func handle<Handle: AnyObject>(_ type: Handle.Type, make: () throws(CodecError) -> Handle) throws(CodecError) -> Handle {
        if let kept = handles[ObjectIdentifier(type)] as? Handle { return kept }
        let made = try make()
        handles[ObjectIdentifier(type)] = made
        return made
    }
}
