/// What happened to one source during a run, in the order it happened.
public enum BatchEvent {
    /// Up to date from an earlier run: nothing decoded.
    case skipped(input: String, record: RunRecord)
    case rendered(input: String, result: RenderResult, milliseconds: Double)
    /// `sourceWidth`/`sourceHeight`: the source's size when its header was read (a
    /// `--max-pixels` refusal).
    case failed(input: String, reason: String, sourceWidth: Int?, sourceHeight: Int?)
    /// Something that is not one image's rendering went wrong: an unusable input (missing file,
    /// unreadable folder, a file named as an image that is not one) or the state or manifest could
    /// not be written. The run fails.
    case problem(path: String, reason: String)
    /// Worth saying, but no failure: a symlink loop not followed.
    case notice(path: String, reason: String)
}

/// Runs a planned batch through a worker pool and keeps the run's books: the incremental state
/// (a row saved as each result arrives, so an interrupted run's next run picks up from there) and
/// the manifest.
public enum BatchRunner {
    /// Runs `batch` on `pool`, calling `event` for every source as it ends (unusable inputs and
    /// up-to-date sources first), recording each result in the state as it arrives, then, unless
    /// interrupted, writes the manifest to `manifestPath`. Failures to save either are reported as
    /// events too.
    public static func run(_ batch: Batch, pool: WorkerPool, manifestPath: String?, event: (BatchEvent) -> Void) -> PoolEnding {
        // Only with --manifest: its relative paths cost something for every source.
        var manifest = manifestPath.map { Manifest(path: $0) }
        for problem in batch.problems {
            event(problem.isFailure ? .problem(path: problem.path, reason: problem.reason)
                                    : .notice(path: problem.path, reason: problem.reason))
        }
        for source in batch.skipped {
            let record = source.record
            manifest?.add(input: source.input, sourceWidth: record.sourceWidth, sourceHeight: record.sourceHeight,
                         outputs: record.outputs, placeholders: record.placeholders)
            event(.skipped(input: source.input, record: record))
        }
        let planned = Dictionary(uniqueKeysWithValues: batch.jobs.map { ($0.job.id, $0) })
        let ending = pool.run(batch.jobs.map(\.job)) { job, outcome in
            guard let plan = planned[job.id] else { return }
            switch outcome {
            case .rendered(let result, let milliseconds):
                batch.state.record(plan.input, settings: plan.settings, result: result)
                manifest?.add(input: job.input, sourceWidth: result.sourceWidth, sourceHeight: result.sourceHeight,
                             outputs: result.outputs, placeholders: result.placeholders)
                event(.rendered(input: job.input, result: result, milliseconds: milliseconds))
            case .failed(let reason, let width, let height):
                batch.state.forget(plan.input)
                event(.failed(input: job.input, reason: reason, sourceWidth: width, sourceHeight: height))
            }
        }
        // Each result was saved as it arrived; only a failure to do so is left to tell.
        batch.state.close()
        if let failure = batch.state.failure {
            event(.problem(path: batch.state.folder, reason: failure))
        }
        if let manifestPath, let manifest, ending == .finished {
            do { try FileIO.writeAtomically(manifest.encoded(), to: manifestPath) } catch {
                event(.problem(path: manifestPath, reason: "cannot write manifest: \(error.description)"))
            }
        }
        return ending
    }
}
