// sandbox-probe: the tests' helper for the worker sandbox (not installed).
//
//   sandbox-probe try MODE WRITABLE-FOLDER ACTION [PATH]
//       Enters the workers' sandbox (Sandbox.enter, mode on or require, writes allowed beneath
//       WRITABLE-FOLDER) exactly as a worker does, reporting blocked calls on stdout, then does
//       ACTION and prints "ok" or the errno name it got:
//         write PATH   create PATH for writing          read PATH   open PATH for reading
//         socket       an IPv4 TCP socket                exec        execve /bin/true
//         fork         fork (the child exits at once)    thread      start and join a thread
//         ptrace       PTRACE_TRACEME                    mount       mount a tmpfs on PATH
//         status       print /proc/self/status's NoNewPrivs and Seccomp lines
//         time         print how long entering took, in microseconds
//         calls        print the time of one allowed system call (getpid), in nanoseconds
//         unhandle     set SIGSYS back to its default action (to hide the next blocked call)
//
//   sandbox-probe __thumbnail-worker PARENT-PID
//       A worker for WorkerPool's tests: enters the spec's sandbox as WorkerMain does, then for
//       each job opens a socket (a stand-in for an exploited decoder), or, for an input whose
//       name does not end in ".socket", renders it as a worker would.
//
//   sandbox-probe without landlock|seccomp PROGRAM [ARG...]
//       Runs PROGRAM as on a kernel without Landlock (its calls fail with ENOSYS) or without
//       seccomp filters (seccomp fails with ENOSYS, prctl(PR_SET_SECCOMP) with EINVAL).
import CSeccomp
import CSystemShim
import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

func say(_ text: String) {
    FileIO.writeAll(1, Array((text + "\n").utf8))
}

func errnoName(_ code: Int32) -> String {
    let names: [Int32: String] = [EACCES: "EACCES", EPERM: "EPERM", ENOSYS: "ENOSYS", EROFS: "EROFS", ENOENT: "ENOENT",
                                  EINVAL: "EINVAL", EXDEV: "EXDEV", EEXIST: "EEXIST"]
    return names[code] ?? "errno \(code)"
}

func result(_ status: Int) {
    say(status >= 0 ? "ok" : errnoName(errno))
}

func usage() -> Never {
    FileIO.writeAll(2, Array("usage: sandbox-probe try on|require FOLDER ACTION [PATH] | sandbox-probe without landlock|seccomp PROGRAM [ARG...]\n".utf8))
    exit(64)
}

func tryAction(_ arguments: [String]) -> Never {
    guard arguments.count >= 3, let mode = SandboxMode(rawValue: arguments[0]) else { usage() }
    let action = arguments[2]
    let path = arguments.count > 3 ? arguments[3] : ""
    let start = Clock.now()
    var microseconds = 0
    do {
        let entered = try Sandbox.enter(SandboxPolicy(mode: mode, writableFolders: [arguments[1]]), reportFD: 1)
        microseconds = Int((Clock.now() - start) * 1e6)
        say("entered landlock=\(entered.landlockABI.map(String.init) ?? "none") seccomp=\(entered.seccomp)")
    } catch {
        say("cannot enter: \(error.description)")
        exit(2)
    }
    switch action {
    case "write":
        result(Int(open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)))
    case "read":
        result(Int(open(path, O_RDONLY | O_CLOEXEC)))
    case "socket":
        result(Int(socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)))
    case "exec":
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        result(Int(execv("/bin/true", &argv)))
    case "fork":
        let pid = fork()
        if pid == 0 { _exit(0) }
        result(Int(pid))
    case "thread":
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { _ in nil }, nil)
        if status == 0 { pthread_join(thread, nil) }
        say(status == 0 ? "ok" : errnoName(status))
    case "ptrace":
        result(Int(tnsys_ptrace_traceme()))
    case "mount":
        result(Int(mount("none", path, "tmpfs", 0, nil)))
    case "calls":
        let count = 1_000_000
        let begin = Clock.now()
        for _ in 0..<count { _ = getpid() }  // an external call: never optimised away
        say("\(Int((Clock.now() - begin) * 1e9 / Double(count))) ns")
    case "unhandle":
        var action = sigaction()
        result(Int(sigaction(SIGSYS, &action, nil)))  // a zeroed action is SIG_DFL
    case "time":
        say("\(microseconds) us")
    case "status":
        let text = (try? FileIO.readAll(path: "/proc/self/status")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("NoNewPrivs") || line.hasPrefix("Seccomp:") {
            say(String(line))
        }
    default:
        usage()
    }
    exit(0)
}

/// Makes the named kernel features look absent, then runs the program.
func runWithout(_ feature: String, _ program: [String]) -> Never {
    guard !program.isEmpty, let filter = seccomp_init(SCMP_ACT_ALLOW) else { usage() }
    func refuse(_ name: String, _ code: Int32, _ conditions: [scmp_arg_cmp] = []) {
        let status = conditions.withUnsafeBufferPointer {
            seccomp_rule_add_array(filter, 0x0005_0000 | UInt32(code), seccomp_syscall_resolve_name(name),
                                   UInt32($0.count), $0.baseAddress)
        }
        if status != 0 { say("seccomp rule \(name): \(status)"); exit(2) }
    }
    switch feature {
    case "landlock":
        for name in ["landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"] { refuse(name, ENOSYS) }
    case "seccomp":
        refuse("seccomp", ENOSYS)
        refuse("prctl", EINVAL, [scmp_arg_cmp(arg: 0, op: SCMP_CMP_EQ, datum_a: 22 /* PR_SET_SECCOMP */, datum_b: 0)])
    default:
        usage()
    }
    guard seccomp_load(filter) == 0 else { say("seccomp_load failed"); exit(2) }
    var argv: [UnsafeMutablePointer<CChar>?] = program.map { strdup($0) } + [nil]
    execv(program[0], &argv)
    say("exec \(program[0]): \(errnoName(errno))")
    exit(127)
}

/// `WorkerReply`'s wire form (its memberwise initialiser is internal to ThumbnailKit).
struct Reply: Encodable {
    var id: Int
    var result: RenderResult?
    var error: String?
    var milliseconds: Double
}

func misbehavingWorker() -> Never {
    let replies = dup(1)
    dup2(2, 1)
    var input = LineBuffer()
    guard let line = input.readLine(from: 0), let spec = WorkerProtocol.decode(ThumbnailSpec.self, from: line) else { exit(70) }
    if let policy = spec.sandbox {
        do { try Sandbox.enter(policy, reportFD: replies) } catch { exit(71) }
    }
    let renderer = ThumbnailRenderer(spec: spec)
    while let line = input.readLine(from: 0) {
        guard let job = WorkerProtocol.decode(WorkerJob.self, from: line) else { exit(70) }
        if job.input.hasSuffix(".socket") { _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        var reply = Reply(id: job.id, result: nil, error: nil, milliseconds: 0)
        do { reply.result = try renderer.render(input: job.input, outputs: job.outputs) } catch { reply.error = error.description }
        FileIO.writeAll(replies, WorkerProtocol.encodeLine(reply))
    }
    exit(0)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { usage() }
switch command {
case "try": tryAction(Array(arguments.dropFirst()))
case WorkerProtocol.workerArgument: misbehavingWorker()
case "without" where arguments.count >= 3: runWithout(arguments[1], Array(arguments.dropFirst(2)))
default: usage()
}
