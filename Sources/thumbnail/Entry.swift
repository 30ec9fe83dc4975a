import ThumbnailKit

/// The process entry point: a worker when started with the hidden worker argument (by the pool),
/// otherwise the command line tool.
@main
enum Entry {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count >= 2 && arguments[1] == WorkerProtocol.workerArgument {
            WorkerMain.run(parentPID: arguments.count >= 3 ? Int32(arguments[2]) ?? 0 : 0)
        }
        ThumbnailCommand.main()
    }
}
