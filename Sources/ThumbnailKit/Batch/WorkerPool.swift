import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// How one job ended.
public enum JobOutcome: Equatable, Sendable {
    case rendered(RenderResult, milliseconds: Double)
    /// The reason, and the source's size when its header was read (a `--max-pixels` refusal).
    case failed(String, sourceWidth: Int? = nil, sourceHeight: Int? = nil)
}

/// How a whole pool run ended.
public enum PoolEnding: Equatable, Sendable {
    /// Every job was answered.
    case finished
    /// A signal (SIGINT, SIGTERM) stopped the run; workers were ended and temporary files removed.
    case interrupted(signal: Int32)
}

/// A fixed pool of worker processes: the same executable started with `posix_spawn` in worker mode
/// (no fork of a running Swift process, which is unsafe once threads exist), fed one job at a time
/// over a pipe, whichever is idle first, in the order given (the caller puts largest files first).
///
/// A worker that dies (signal, OOM killer, decoder crash) is replaced; its job is tried once more in
/// a fresh worker and then reported failed, naming the signal. A job over `timeout` seconds has its
/// worker killed and replaced and is reported failed. SIGINT and SIGTERM stop dispatch, kill the
/// workers, remove their temporary files, and end the run as `.interrupted`.
///
/// Each worker enters the sandbox (`Sandbox.enter`, writes only in the jobs' output folders) before
/// its first job; one the sandbox kills for a forbidden system call has its image reported as
/// "blocked system call NAME", without a second try.
public final class WorkerPool {
    private struct Worker {
        var pid: pid_t
        var jobs: Int32      // we write jobs here (the worker's stdin)
        var replies: Int32   // we read replies here (the worker's stdout)
        var buffer = LineBuffer()
        var job: WorkerJob?
        var started = 0.0
        var timedOut = false
        /// The system call the sandbox stopped it at, from the SIGSYS handler's line.
        var blockedSyscall: Int32?
    }

    public let size: Int
    public let spec: ThumbnailSpec
    public let timeout: Double
    /// The sandbox every worker enters (`.on` unless told otherwise).
    public let sandbox: SandboxMode
    private let executable: String
    /// The spec sent to each worker: `spec` with the sandbox for this run's output folders.
    private var workerSpec: ThumbnailSpec
    private var workers: [Worker] = []

    /// - Parameters:
    ///   - size: the number of worker processes.
    ///   - timeout: seconds one image may take before its worker is killed.
    ///   - executable: the program to start in worker mode (default: this one).
    ///   - sandbox: the workers' sandbox; check `Sandbox.check(_:)` first to warn or refuse.
    public init(size: Int, spec: ThumbnailSpec, timeout: Double = 60, executable: String? = nil,
                sandbox: SandboxMode = .on) {
        self.size = max(size, 1)
        self.spec = spec
        self.workerSpec = spec
        self.timeout = timeout
        self.sandbox = sandbox
        self.executable = executable ?? WorkerPool.currentExecutable()
    }

    static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }

    /// Runs `jobs` to the end, calling `report` once per job as it ends (on this thread).
    public func run(_ jobs: [WorkerJob], report: (WorkerJob, JobOutcome) -> Void) -> PoolEnding {
        SignalWatch.install()
        defer { shutDown() }
        var queue = jobs[...]
        var retried = Set<Int>()
        var outstanding = jobs.count
        let folders = Set(jobs.flatMap { $0.outputs.map { OutputNaming.folder(of: $0.path) } })
        workerSpec.sandbox = sandbox == .off ? nil
            : SandboxPolicy(mode: sandbox, writableFolders: SandboxPolicy.covering(folders))
        let wanted = min(size, jobs.count)
        for _ in 0..<wanted {
            if let worker = spawn() { workers.append(worker) }
        }
        if workers.isEmpty && !jobs.isEmpty {
            for job in jobs { report(job, .failed("cannot start a worker process: \(FileIO.errorText())")) }
            return .finished
        }

        while outstanding > 0 {
            if let signal = SignalWatch.caught {
                for pid in killAll() { removeTemporaryFiles(in: folders, pid: pid) }
                return .interrupted(signal: signal)
            }
            // Give every idle worker a job.
            for index in workers.indices where workers[index].job == nil {
                guard let job = queue.popFirst() else { break }
                workers[index].job = job
                workers[index].started = Clock.now()
                if !FileIO.writeAll(workers[index].jobs, WorkerProtocol.encodeLine(job)) {
                    // It died before taking the job: the EOF on its replies pipe handles that below.
                    continue
                }
            }
            var fds = workers.map { pollfd(fd: $0.replies, events: Int16(POLLIN), revents: 0) }
            fds.append(pollfd(fd: SignalWatch.readFD, events: Int16(POLLIN), revents: 0))
            let now = Clock.now()
            let nearest = workers.compactMap { $0.job == nil ? nil : $0.started + timeout - now }.min() ?? timeout
            let wait = Int32(max(min(nearest, 1.0), 0.0) * 1000) + 1
            if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR {
                // Cannot happen with valid descriptors; if it does, say so for every job left.
                let why = "cannot wait for the workers: \(FileIO.errorText())"
                for job in workers.compactMap(\.job) + queue { report(job, .failed(why)) }
                for pid in killAll() { removeTemporaryFiles(in: folders, pid: pid) }
                return .finished
            }

            var index = 0
            while index < workers.count {
                let revents = fds[index].revents
                var alive = true
                if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    alive = workers[index].buffer.fill(from: workers[index].replies)
                    while let line = workers[index].buffer.nextLine() {
                        if let number = Sandbox.blockedSyscall(in: line) {
                            workers[index].blockedSyscall = number
                            continue
                        }
                        guard let reply = WorkerProtocol.decode(WorkerReply.self, from: line),
                              let job = workers[index].job, reply.id == job.id else { continue }
                        workers[index].job = nil
                        outstanding -= 1
                        if let result = reply.result {
                            report(job, .rendered(result, milliseconds: reply.milliseconds))
                        } else {
                            report(job, .failed(reply.error ?? "unknown error", sourceWidth: reply.sourceWidth,
                                                sourceHeight: reply.sourceHeight))
                        }
                    }
                }
                if alive, workers[index].job != nil, Clock.now() - workers[index].started > timeout {
                    // Its pipe closes when it dies; the dead-worker branch below reports the image.
                    kill(workers[index].pid, SIGKILL)
                    workers[index].timedOut = true
                }
                if !alive {
                    let dead = workers.remove(at: index)
                    fds.remove(at: index)
                    let status = reap(dead)
                    let how = Self.describe(status)
                    removeTemporaryFiles(in: folders, pid: dead.pid)
                    if let job = dead.job {
                        if let blocked = Self.blockedCall(dead, status: status) {
                            // Trying again would be blocked again.
                            outstanding -= 1
                            report(job, .failed(blocked))
                        } else if dead.timedOut {
                            outstanding -= 1
                            report(job, .failed("timed out after \(Self.seconds(timeout)) s (worker killed)"))
                        } else if retried.contains(job.id) {
                            outstanding -= 1
                            report(job, .failed("worker \(how) twice on this image"))
                        } else {
                            retried.insert(job.id)
                            queue = [job] + queue
                        }
                    }
                    if outstanding > workers.count, workers.count < wanted, SignalWatch.caught == nil,
                       let fresh = spawn() {
                        workers.append(fresh)
                    } else if workers.isEmpty && outstanding > 0 {
                        if let fresh = spawn() {
                            workers.append(fresh)
                        } else {
                            for job in queue { report(job, .failed("cannot start a worker process")) }
                            return .finished
                        }
                    }
                    continue
                }
                index += 1
            }
        }
        return .finished
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    private func spawn() -> Worker? {
        var toWorker: [Int32] = [0, 0]
        var fromWorker: [Int32] = [0, 0]
        guard tnsys_pipe_cloexec(&toWorker, 0) == 0 else { return nil }
        guard tnsys_pipe_cloexec(&fromWorker, 0) == 0 else {
            close(toWorker[0]); close(toWorker[1])
            return nil
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies: the worker keeps exactly stdin, stdout, stderr.
        posix_spawn_file_actions_adddup2(&actions, toWorker[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromWorker[1], 1)
        let args = [executable, WorkerProtocol.workerArgument, String(getpid())]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(toWorker[0])
        close(fromWorker[1])
        guard status == 0 else {
            errno = status
            close(toWorker[1]); close(fromWorker[0])
            return nil
        }
        let worker = Worker(pid: pid, jobs: toWorker[1], replies: fromWorker[0])
        FileIO.writeAll(worker.jobs, WorkerProtocol.encodeLine(workerSpec))
        return worker
    }

    /// Waits for a dead worker; its wait status.
    @discardableResult
    private func reap(_ worker: Worker) -> Int32 {
        close(worker.jobs)
        return Self.waitFor(worker)
    }

    /// How a worker ended, from its wait status ("was killed by SIGSEGV", "exited with status 3").
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal != 0 {
            return "was killed by \(Self.signalName(signal))"
        }
        return "exited with status \((status >> 8) & 0xFF)"
    }

    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
            SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// "blocked system call NAME" when the sandbox ended `worker` (its SIGSYS handler named the call),
    /// or nil when something else did.
    private static func blockedCall(_ worker: Worker, status: Int32) -> String? {
        if let number = worker.blockedSyscall { return "blocked system call \(Sandbox.syscallName(number))" }
        // Killed outright (a call through another ABI, or a change to SIGSYS's handler).
        if status & 0x7F == SIGSYS { return "blocked system call (worker killed by SIGSYS)" }
        return nil
    }

    /// Kills and reaps every worker; returns their process IDs.
    private func killAll() -> [pid_t] {
        for worker in workers { kill(worker.pid, SIGKILL) }
        for worker in workers { reap(worker) }
        let pids = workers.map(\.pid)
        workers.removeAll()
        return pids
    }

    /// Removes the temporary files a (dead) worker left in the output folders.
    private func removeTemporaryFiles(in folders: Set<String>, pid: pid_t) {
        let prefix = "\(FileIO.temporaryPrefix)\(pid)-"
        for folder in folders {
            for name in FileIO.entries(of: folder) ?? [] where name.hasPrefix(prefix) {
                unlink(PathBytes.systemPath(folder + "/" + name))
            }
        }
    }

    /// Closes the job pipes (workers exit at end of input) and reaps every worker.
    private func shutDown() {
        // All job pipes first, so the workers exit side by side.
        for worker in workers { close(worker.jobs) }
        for worker in workers { Self.waitFor(worker) }
        workers.removeAll()
    }

    /// Closes a worker's reply pipe and waits for it to end; its wait status.
    @discardableResult
    private static func waitFor(_ worker: Worker) -> Int32 {
        close(worker.replies)
        var status: Int32 = 0
        _ = SystemCall.retrying { waitpid(worker.pid, &status, 0) }
        return status
    }
}
