#if canImport(Glibc)
import Glibc
#endif

/// The one place system calls interrupted by a signal are retried (as swift-nio's
/// `SystemCallHelpers` do): the pool's signal handling interrupts reads, writes and waits.
public enum SystemCall {
    /// Calls `body` until it returns something other than -1 with `errno` EINTR; returns that
    /// result (errno still set when it is negative).
    @inline(__always)
    public static func retrying<T: BinaryInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
