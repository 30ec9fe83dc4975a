import CSystemShim
#if canImport(Glibc)
import Glibc
#endif

/// The loop a worker process runs: read the spec, then render one job at a time and answer each.
/// Started by `WorkerPool` as the same executable with `WorkerProtocol.workerArgument`.
public enum WorkerMain {
    /// Runs until the parent closes the job pipe. `parentPID` guards against a parent that died
    /// before the death signal was armed.
    public static func run(parentPID: Int32) -> Never {
        // Die with the parent, even one killed by SIGKILL.
        _ = tnsys_set_parent_death_signal(SIGKILL)
        if parentPID > 0 && getppid() != parentPID { exit(0) }
        // Ctrl-C reaches the whole process group; the parent decides what happens to the workers.
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        // Over a file size limit (ulimit -f), a write should fail the image, not kill the worker.
        signal(SIGXFSZ, SIG_IGN)
        // Keep freed image buffers in the heap for the next image instead of returning them to the
        // kernel: a fresh 16 MB mapping per file costs thousands of page faults each time.
        tnsys_keep_freed_memory()
        // Replies go to the pipe that was stdout; anything a library prints goes to stderr instead,
        // so it can never break a reply.
        let replies = dup(1)
        dup2(2, 1)
        var input = LineBuffer()
        var renderer: ThumbnailRenderer?
        while true {
            // End of input: the parent is done with this worker.
            guard let line = input.readLine(from: 0) else { exit(0) }
            guard let current = renderer else {
                guard let spec = WorkerProtocol.decode(ThumbnailSpec.self, from: line) else {
                    StandardStreams.error("thumbnail worker: bad spec\n")
                    exit(70)
                }
                renderer = ThumbnailRenderer(spec: spec)
                // Confined before the first job is read: from here a hostile file can reach only
                // what Sandbox.enter allows.
                if let policy = spec.sandbox {
                    do {
                        try Sandbox.enter(policy, reportFD: replies)
                    } catch {
                        StandardStreams.error("thumbnail worker: cannot enter the sandbox: \(error.description)\n")
                        exit(71)
                    }
                }
                continue
            }
            guard let job = WorkerProtocol.decode(WorkerJob.self, from: line) else {
                StandardStreams.error("thumbnail worker: bad job\n")
                exit(70)
            }
            let start = Clock.now()
            var reply = WorkerReply(id: job.id, result: nil, error: nil, milliseconds: 0)
            do {
                reply.result = try current.render(input: job.input, outputs: job.outputs)
            } catch {
                reply.error = error.description
                if case .tooManyPixels(let width, let height, _) = error {
                    reply.sourceWidth = width
                    reply.sourceHeight = height
                }
            }
            reply.milliseconds = (Clock.now() - start) * 1000
            guard FileIO.writeAll(replies, WorkerProtocol.encodeLine(reply)) else { exit(0) }
        }
    }
}

/// Monotonic seconds.
public enum Clock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
