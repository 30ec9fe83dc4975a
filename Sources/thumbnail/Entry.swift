import ArgumentParser
import ThumbnailKit
#if canImport(Glibc)
import Glibc
#endif

/// The process entry point: a worker when started with the hidden worker argument (by the pool),
/// otherwise the command line tool.
@main
enum Entry {
    static func main() {
        // The raw argv, not CommandLine.arguments: a file name that is not UTF-8 must keep its
        // bytes (PathBytes), where Swift's own decoding would replace them with U+FFFD.
        let arguments = (0..<Int(CommandLine.argc)).map { index in
            PathBytes.decode(CommandLine.unsafeArgv[index].map { UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0)) } ?? UnsafeBufferPointer(start: nil, count: 0))
        }
        if arguments.count >= 2 && arguments[1] == WorkerProtocol.workerArgument {
            WorkerMain.run(parentPID: arguments.count >= 3 ? Int32(arguments[2]) ?? 0 : 0)
        }
        if arguments.count == 3 && arguments[1] == "--generate-completion-script",
           let shell = CompletionShell(rawValue: arguments[2]) {
            print(CompletionScript.generate(for: shell))
            exit(0)
        }
        ThumbnailCommand.main(Array(arguments.dropFirst()))
    }
}
