#if canImport(Glibc)
import Glibc
#endif
import CTIFF

/// Collects what libtiff says while one file is open: libtiff reports errors through a handler
/// (and a return value), not by longjmp, so a per-open handler set through `TIFFOpenOptions` keeps
/// the first error's text here, for the failure to give libtiff's reason.
final class TIFFMessages {
    /// The first error libtiff reported, "module: message".
    private(set) var firstError: String?

    /// An error handler that records into the `TIFFMessages` passed as its user data.
    static let errorHandler: TIFFErrorHandlerExtR = { _, user, module, format, arguments in
        guard let user, let format, let arguments else { return 1 }
        let messages = Unmanaged<TIFFMessages>.fromOpaque(user).takeUnretainedValue()
        if messages.firstError == nil {
            var buffer = [CChar](repeating: 0, count: 512)
            _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let name = module.map { String(cString: $0) } ?? ""
            messages.firstError = name.isEmpty ? text : "\(name): \(text)"
        }
        return 1 // handled: libtiff's process-wide handler (which prints to stderr) is not called
    }

    /// Warnings (unknown tags and the like) are not failures and are not printed.
    static let warningHandler: TIFFErrorHandlerExtR = { _, _, _, _, _ in 1 }

    /// libtiff's process-wide handlers print to stderr; the few calls that bypass the per-open
    /// handlers must not write there (stderr carries one line per failed file). Once per process.
    static let silenceGlobalHandlers: Void = {
        TIFFSetErrorHandler(nil)
        TIFFSetWarningHandler(nil)
    }()

    /// Forgets what was said so far: errors libtiff survived while reading the tags must not be
    /// given as the reason a later read failed.
    func reset() { firstError = nil }

    /// The recorded error, or `fallback` when libtiff said nothing.
    func reason(_ fallback: String) -> String { firstError ?? fallback }
}
