import CSeccomp
import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// How much sandbox the workers get (`--sandbox`).
public enum SandboxMode: String, Codable, Sendable, CaseIterable {
    /// Everything the kernel offers; a run on a kernel without Landlock or seccomp warns once.
    case on
    /// No sandbox (for debugging a worker with strace or gdb).
    case off
    /// Landlock and seccomp, or the run fails at start.
    case require
}

/// What a worker is confined to: sent in its `ThumbnailSpec`, applied before its first job.
public struct SandboxPolicy: Codable, Equatable, Sendable {
    public var mode: SandboxMode
    /// The only folders (and what is beneath them) the worker may create, write and remove files in.
    public var writableFolders: [String]

    public init(mode: SandboxMode, writableFolders: [String]) {
        self.mode = mode
        self.writableFolders = writableFolders
    }

    /// The fewest folders that cover `folders`: one beneath another adds nothing (each is a
    /// Landlock rule, and a mirrored tree can have thousands).
    public static func covering(_ folders: some Sequence<String>) -> [String] {
        let cleaned = Set(folders.map { folder -> String in
            var path = folder
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            return path.isEmpty ? "." : path
        })
        return cleaned.sorted().filter { folder in
            !cleaned.contains { other in other != folder && (other == "/" || folder.hasPrefix(other + "/")) }
        }
    }
}

/// What the running kernel offers for the sandbox.
public struct SandboxSupport: Equatable, Sendable {
    /// The Landlock ABI version, or nil when there is no Landlock.
    public var landlockABI: Int?
    /// Why there is no Landlock (the failing call and its error).
    public var landlockProblem: String?
    /// Whether seccomp filters with the actions the filter uses can be installed.
    public var seccomp: Bool
    /// Why there is no seccomp.
    public var seccompProblem: String?

    /// Asks the kernel (three harmless system calls).
    public static func current() -> SandboxSupport {
        var support = SandboxSupport(landlockABI: nil, landlockProblem: nil, seccomp: false, seccompProblem: nil)
        let abi = tnsys_landlock_abi()
        if abi >= 1 {
            support.landlockABI = Int(abi)
        } else {
            let why = errno == EOPNOTSUPP ? "Landlock is disabled at boot (lsm=)"
                : "no Landlock (landlock_create_ruleset: \(FileIO.errorText()))"
            support.landlockProblem = why + ": workers could write wherever you can"
        }
        if tnsys_seccomp_action_available(SCMP_ACT_TRAP) != 0 {
            support.seccompProblem = "no seccomp filters (seccomp: \(FileIO.errorText())): workers could open sockets and start programs"
        } else if tnsys_seccomp_action_available(SCMP_ACT_KILL_PROCESS) != 0 {
            support.seccompProblem = "seccomp cannot end a whole process (Linux 4.14 or later needed): workers could open sockets and start programs"
        } else {
            support.seccomp = true
        }
        return support
    }

    /// What is missing, for messages ("no Landlock (…)", …); empty when everything is there.
    public var missing: [String] { [landlockProblem, seccompProblem].compactMap { $0 } }
}

/// What the parent concludes before starting workers with a given `SandboxMode`.
public enum SandboxCheck: Equatable, Sendable {
    /// Off, or everything it asks for is there.
    case ready
    /// `on` with parts missing: run, and say so once (the message).
    case incomplete(String)
    /// `require` with parts missing: do not run (the message).
    case unavailable(String)
}

/// Why a worker could not enter its sandbox.
public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The worker sandbox: `PR_SET_NO_NEW_PRIVS`, Landlock (read anywhere, write only in the run's
/// output folders), and a seccomp filter that allows what decoding, encoding and atomic writing
/// need and ends the worker on any other system call. `enter` is the one place it is set up.
public enum Sandbox {
    /// The line the SIGSYS handler writes on the worker's reply pipe before the worker dies.
    public static let blockedLinePrefix = "blocked-syscall "

    /// Whether `mode` can be had here, and what to tell the user if not.
    public static func check(_ mode: SandboxMode, support: SandboxSupport = .current()) -> SandboxCheck {
        if mode == .off || support.missing.isEmpty { return .ready }
        let missing = support.missing.joined(separator: "; ")
        if mode == .require {
            return .unavailable("--sandbox require: this kernel cannot sandbox the workers: \(missing)")
        }
        return .incomplete("the workers' sandbox is incomplete: \(missing) (--sandbox require refuses to run so, --sandbox off silences this)")
    }

    /// Confines the calling process for good. Must run while it has a single thread (Landlock
    /// applies to the calling thread and what it starts later). In `.on` mode a part the kernel
    /// lacks is skipped (the parent has warned); in `.require` it is an error, as is any failure
    /// of a part the kernel has. `reportFD` receives the blocked-system-call line.
    /// Returns the Landlock ABI used (nil without Landlock) and whether seccomp is on.
    @discardableResult
    public static func enter(_ policy: SandboxPolicy, reportFD: Int32) throws(SandboxError) -> (landlockABI: Int?, seccomp: Bool) {
        guard policy.mode != .off else { return (nil, false) }
        let support = SandboxSupport.current()
        if policy.mode == .require, !support.missing.isEmpty {
            throw SandboxError(description: support.missing.joined(separator: "; "))
        }
        guard tnsys_thread_count() == 1 else {
            throw SandboxError(description: "the worker already has \(tnsys_thread_count()) threads")
        }
        // No exec can ever gain privileges (setuid, file capabilities) from here on; Landlock and
        // seccomp both demand it of an unprivileged process.
        guard tnsys_set_no_new_privs() == 0 else {
            throw SandboxError(description: "prctl(PR_SET_NO_NEW_PRIVS): \(FileIO.errorText())")
        }
        if let abi = support.landlockABI {
            try restrictFilesystem(abi: abi, writable: policy.writableFolders)
        }
        if support.seccomp {
            try filterSystemCalls(reportFD: reportFD)
        }
        return (support.landlockABI, support.seccomp)
    }

    // MARK: Landlock

    // Filesystem rights (ABI version that introduced them).
    static let execute: UInt64 = 1 << 0, writeFile: UInt64 = 1 << 1, readFile: UInt64 = 1 << 2
    static let readDir: UInt64 = 1 << 3, removeFile: UInt64 = 1 << 5, makeRegular: UInt64 = 1 << 8
    static let allFilesystemV1: UInt64 = (1 << 13) - 1  // execute ... make symlink
    static let refer: UInt64 = 1 << 13      // ABI 2
    static let truncate: UInt64 = 1 << 14   // ABI 3
    static let ioctlDevice: UInt64 = 1 << 15 // ABI 5
    static let bindTCP: UInt64 = 1 << 0, connectTCP: UInt64 = 1 << 1      // ABI 4
    static let scopeAbstractUnix: UInt64 = 1 << 0, scopeSignal: UInt64 = 1 << 1  // ABI 6

    /// Every right this ABI version can deny: (filesystem, network, scopes). A right not handled
    /// would stay allowed, so all of them are handled and only the rules below grant any.
    static func handledRights(abi: Int) -> (filesystem: UInt64, network: UInt64, scoped: UInt64) {
        var filesystem = allFilesystemV1
        if abi >= 2 { filesystem |= refer }
        if abi >= 3 { filesystem |= truncate }
        if abi >= 5 { filesystem |= ioctlDevice }
        let network = abi >= 4 ? bindTCP | connectTCP : 0
        let scoped = abi >= 6 ? scopeAbstractUnix | scopeSignal : 0
        return (filesystem, network, scoped)
    }

    /// Read anywhere: sources can be anywhere, libraries and their data files load lazily.
    static let readRights = readFile | readDir
    /// In the output folders: create the temporary file (make regular, write), rename it over the
    /// thumbnail in the same folder (remove + make regular), or unlink it after a failure. No
    /// truncation, folders, links, devices or exec.
    static let outputRights = readFile | readDir | writeFile | makeRegular | removeFile

    private static func restrictFilesystem(abi: Int, writable: [String]) throws(SandboxError) {
        let handled = handledRights(abi: abi)
        // Networking (ABI 4) is handled with no rule: no TCP bind or connect, on top of seccomp's
        // ban on sockets. Scopes (ABI 6): no signals to, and no abstract UNIX sockets of,
        // processes outside the sandbox (the parent, the user's other programs).
        let ruleset = tnsys_landlock_create_ruleset(handled.filesystem, handled.network, handled.scoped)
        guard ruleset >= 0 else { throw SandboxError(description: "landlock_create_ruleset: \(FileIO.errorText())") }
        defer { close(ruleset) }
        guard tnsys_landlock_allow_beneath(ruleset, "/", readRights) == 0 else {
            throw SandboxError(description: "landlock_add_rule /: \(FileIO.errorText())")
        }
        for folder in writable {
            if tnsys_landlock_allow_beneath(ruleset, folder, outputRights & handled.filesystem) != 0 {
                // A folder removed since planning: its writes fail with ENOENT anyway.
                if errno == ENOENT { continue }
                throw SandboxError(description: "landlock_add_rule \(folder): \(FileIO.errorText())")
            }
        }
        guard tnsys_landlock_restrict_self(ruleset) == 0 else {
            throw SandboxError(description: "landlock_restrict_self: \(FileIO.errorText())")
        }
    }

    // MARK: seccomp

    /// One allowed system call: its name, the argument conditions (all must hold), and why a
    /// worker needs it. Anything not listed traps into the SIGSYS handler, which reports it and
    /// ends the worker.
    struct Allowed {
        var name: String
        var conditions: [scmp_arg_cmp] = []
        var why: String
    }

    static func argument(_ index: UInt32, _ op: scmp_compare, _ a: UInt64, _ b: UInt64 = 0) -> scmp_arg_cmp {
        scmp_arg_cmp(arg: index, op: op, datum_a: a, datum_b: b)
    }

    /// The allow-list. A codec that needs another call adds a line here, with its reason.
    static func allowList(pid: pid_t) -> [Allowed] {
        // CLONE_VM | CLONE_THREAD (<linux/sched.h>, not visible to Swift): a thread shares memory
        // and the process; fork, vfork and posix_spawn set neither CLONE_THREAD nor both.
        let threadFlags: UInt64 = 0x0000_0100 | 0x0001_0000
        return [
            // Files. Which paths may be opened, and how, is Landlock's decision.
            Allowed(name: "read", why: "jobs from the pipe, source files"),
            Allowed(name: "readv", why: "glibc stdio reads"),
            Allowed(name: "pread64", why: "positioned reads (libraries reading their data files)"),
            Allowed(name: "write", why: "thumbnails, replies to the parent, messages on stderr"),
            Allowed(name: "writev", why: "glibc stdio writes"),
            Allowed(name: "openat", why: "sources (read) and temporary outputs (create, exclusive)"),
            Allowed(name: "close", why: "every opened file"),
            Allowed(name: "fstat", why: "a source's size before reading it"),
            Allowed(name: "newfstatat", why: "fstat and stat in glibc 2.33 and later"),
            Allowed(name: "statx", why: "stat in newer libraries"),
            Allowed(name: "lseek", why: "libraries seeking in their files"),
            Allowed(name: "fcntl", why: "descriptor flags (glibc, libraries)"),
            Allowed(name: "getdents64", why: "folder listings (codec plugin folders)"),
            Allowed(name: "ioctl", conditions: [argument(1, SCMP_CMP_EQ, 0x5401)],
                    why: "TCGETS only: isatty() when glibc first buffers a stdio stream (a library's message)"),
            Allowed(name: "fsync", why: "atomic writes: the temporary file reaches the disk before the rename"),
            Allowed(name: "fdatasync", why: "the same, by libraries that write"),
            Allowed(name: "rename", why: "atomic writes: the temporary file replaces the thumbnail"),
            Allowed(name: "renameat", why: "rename by path, other libcs"),
            Allowed(name: "renameat2", why: "rename by path, other libcs"),
            Allowed(name: "unlink", why: "a failed write's temporary file is removed"),
            Allowed(name: "unlinkat", why: "unlink by path, other libcs"),
            // Memory.
            Allowed(name: "brk", why: "malloc's heap"),
            Allowed(name: "mmap", why: "malloc's large blocks, image buffers, loading libraries"),
            Allowed(name: "munmap", why: "freeing them"),
            Allowed(name: "mremap", why: "realloc of large blocks"),
            Allowed(name: "mprotect", why: "thread stacks' guard pages, the dynamic loader"),
            Allowed(name: "madvise", why: "malloc returning pages"),
            // Threads: codecs (libheif, libde265) decode on threads. Only clone with the thread
            // flags, so no new process (fork, vfork, posix_spawn) can be made.
            Allowed(name: "clone", conditions: [argument(0, SCMP_CMP_MASKED_EQ, threadFlags, threadFlags)],
                    why: "new threads (CLONE_VM | CLONE_THREAD), never a new process"),
            Allowed(name: "futex", why: "locks and condition variables"),
            Allowed(name: "set_robust_list", why: "glibc's thread start"),
            Allowed(name: "rseq", why: "glibc's thread start (restartable sequences)"),
            Allowed(name: "sched_yield", why: "spin locks"),
            Allowed(name: "sched_getaffinity", why: "thread pools sizing themselves to the CPUs"),
            Allowed(name: "sysinfo", why: "glibc's qsort sizing its buffer (sysconf(_SC_PHYS_PAGES))"),
            Allowed(name: "prctl", conditions: [argument(0, SCMP_CMP_EQ, 15)],
                    why: "PR_SET_NAME only: pthread_setname_np on a codec's own threads"),
            Allowed(name: "gettid", why: "thread identity, raise()"),
            Allowed(name: "getpid", why: "temporary file names, raise()"),
            Allowed(name: "exit", why: "a thread ending"),
            Allowed(name: "exit_group", why: "the worker ending"),
            // Signals.
            Allowed(name: "rt_sigaction",
                    conditions: [argument(0, SCMP_CMP_NE, UInt64(SIGSYS))],
                    why: "handlers for anything but SIGSYS, whose handler reports the blocked call"),
            Allowed(name: "rt_sigprocmask", why: "blocking signals around critical sections, threads"),
            Allowed(name: "rt_sigreturn", why: "returning from a signal handler"),
            Allowed(name: "sigaltstack", why: "the Swift runtime's and threads' signal stacks"),
            Allowed(name: "tgkill", conditions: [argument(0, SCMP_CMP_EQ, UInt64(UInt32(bitPattern: pid)))],
                    why: "abort() and the SIGSYS handler signal this process itself, nothing else"),
            Allowed(name: "restart_syscall", why: "the kernel resuming an interrupted call"),
            // Time and randomness.
            Allowed(name: "clock_gettime", why: "timing each job (when the vDSO falls back)"),
            Allowed(name: "clock_getres", why: "the same"),
            Allowed(name: "gettimeofday", why: "the same"),
            Allowed(name: "clock_nanosleep", why: "thread pools waiting"),
            Allowed(name: "nanosleep", why: "the same"),
            Allowed(name: "getrandom", why: "Swift's hash seeds"),
        ]
    }

    /// Calls that fail with an error instead of ending the worker: glibc tries them and falls
    /// back to an allowed one.
    static let refused: [(name: String, errno: Int32, why: String)] = [
        // clone3 passes its flags in memory, which seccomp cannot inspect; glibc's pthread_create
        // then uses clone, whose flags it can.
        ("clone3", ENOSYS, "pthread_create falls back to clone"),
    ]

    /// Loads the filter: `allowList` allowed, `refused` failing with their errno, anything else
    /// trapped. Why SECCOMP_RET_TRAP rather than SECCOMP_RET_KILL_PROCESS for the rest: a process
    /// killed outright leaves the call's number only in the audit log (which needs CAP_AUDIT_READ
    /// or dmesg, and may be off). A trapped call never runs either; the kernel delivers SIGSYS
    /// with its number to the handler installed here, which writes it to the parent and ends the
    /// process with SIGSYS. That handler cannot be taken away: rt_sigaction on SIGSYS is
    /// KILL_PROCESS, and the kernel unblocks SIGSYS to deliver a trap.
    private static func filterSystemCalls(reportFD: Int32) throws(SandboxError) {
        guard let filter = seccomp_init(SCMP_ACT_TRAP) else {
            throw SandboxError(description: "seccomp_init failed")
        }
        defer { seccomp_release(filter) }
        // A call made through another ABI (32-bit int 0x80, x32) would bypass the list: end the
        // process at once.
        _ = seccomp_attr_set(filter, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)
        for rule in allowList(pid: getpid()) {
            // A call this architecture does not have (rename on arm64) needs no rule.
            guard let number = syscallNumber(rule.name) else { continue }
            let status = rule.conditions.withUnsafeBufferPointer {
                seccomp_rule_add_array(filter, SCMP_ACT_ALLOW, number, UInt32($0.count), $0.baseAddress)
            }
            guard status == 0 else {
                throw SandboxError(description: "seccomp rule for \(rule.name): \(FileIO.errorText(-status))")
            }
        }
        for rule in refused {
            guard let number = syscallNumber(rule.name) else { continue }
            let status = seccomp_rule_add_array(filter, 0x0005_0000 | UInt32(rule.errno), number, 0, nil)
            guard status == 0 else {
                throw SandboxError(description: "seccomp rule for \(rule.name): \(FileIO.errorText(-status))")
            }
        }
        // Changing SIGSYS's handler would hide the next blocked call: that ends the process outright.
        let sigsys = [argument(0, SCMP_CMP_EQ, UInt64(SIGSYS))]
        let status = sigsys.withUnsafeBufferPointer {
            seccomp_rule_add_array(filter, SCMP_ACT_KILL_PROCESS, seccomp_syscall_resolve_name("rt_sigaction"), 1, $0.baseAddress)
        }
        guard status == 0 else { throw SandboxError(description: "seccomp rule for rt_sigaction: \(FileIO.errorText(-status))") }
        guard tnsys_report_blocked_syscalls(reportFD) == 0 else {
            throw SandboxError(description: "sigaction(SIGSYS): \(FileIO.errorText())")
        }
        let loaded = seccomp_load(filter)
        guard loaded == 0 else { throw SandboxError(description: "seccomp_load: \(FileIO.errorText(-loaded))") }
    }

    /// The system call number in a line the SIGSYS handler wrote, if `line` is one.
    public static func blockedSyscall(in line: [UInt8]) -> Int32? {
        let prefix = Array(blockedLinePrefix.utf8)
        guard line.count > prefix.count, line.starts(with: prefix) else { return nil }
        return Int32(String(decoding: line[prefix.count...], as: UTF8.self))
    }

    /// The number of the system call `name` on this architecture, or nil when it has none.
    static func syscallNumber(_ name: String) -> Int32? {
        let number = seccomp_syscall_resolve_name(name)
        return number == __NR_SCMP_ERROR ? nil : number
    }

    /// The name of system call `number` on this architecture ("socket"), or "#number".
    public static func syscallName(_ number: Int32) -> String {
        guard let name = seccomp_syscall_resolve_num_arch(UInt32(SCMP_ARCH_NATIVE), number) else { return "#\(number)" }
        defer { free(name) }
        return String(cString: name)
    }
}
