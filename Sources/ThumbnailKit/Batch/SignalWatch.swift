import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// Catches SIGINT and SIGTERM for the pool's event loop: the handler only records the signal and
/// writes a byte to a pipe the loop polls (the self-pipe trick), which is all a handler may safely do.
public enum SignalWatch {
    nonisolated(unsafe) private static var pipeFDs: [Int32] = [-1, -1]
    nonisolated(unsafe) private static var caughtSignal: Int32 = 0
    nonisolated(unsafe) private static var installed = false
    nonisolated(unsafe) static var writeFD: Int32 = -1

    /// The read end of the pipe, readable once a signal arrived.
    public static var readFD: Int32 { pipeFDs[0] }

    /// The signal caught, if any.
    public static var caught: Int32? { caughtSignal == 0 ? nil : caughtSignal }

    /// Installs the handlers (once).
    public static func install() {
        guard !installed else { return }
        installed = true
        tnsys_pipe_cloexec(&pipeFDs, O_NONBLOCK)
        writeFD = pipeFDs[1]
        // A worker that dies must not take the parent with it when we write its next job, and a
        // file size limit must fail a write, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)
        // A parent may have started us with these signals blocked (some process launchers do):
        // unblock them, or they would never arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                SignalWatch.record(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
    }

    private static func record(_ sig: Int32) {
        if caughtSignal == 0 { caughtSignal = sig }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }
}
