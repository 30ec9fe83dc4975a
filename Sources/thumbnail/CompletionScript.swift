import ArgumentParser

/// Shell completion scripts: ArgumentParser's, less the `help` subcommand its generator adds to
/// every tool (`ToolInfoV0` injects it even into a command that has no subcommands, so zsh and
/// fish offered `help` where an input file name belongs, and `thumbnail help` is no command).
enum CompletionScript {
    static func generate(for shell: CompletionShell) -> String {
        let script = ThumbnailCommand.completionScript(for: shell)
        var lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        switch shell {
        case .zsh:
            // The first positional as a subcommand state, and the states' dispatch.
            lines.removeAll { ["'(-): :->command'", "'(-)*:: :->arg'"].contains($0.trimmingSpaces) }
            removeBlock(&lines, from: { $0.trimmingSpaces == "case \"${state}\" in" }, to: { $0.trimmingSpaces == "esac" },
                        nested: "case ")
            removeFunction(&lines, named: "_thumbnail_help")
        case .bash:
            removeBlock(&lines, from: { $0.contains("# Offer subcommand / subcommand argument completions") },
                        to: { $0 == "    esac" }, nested: nil)
            removeFunction(&lines, named: "_thumbnail_help")
        case .fish:
            lines.removeAll { $0.contains("-fa 'help'") || $0.contains("\"thumbnail help\"") }
            removeBlock(&lines, from: { $0.trimmingSpaces == "case 'help'" }, to: { _ in true }, nested: nil)
        default:
            break
        }
        return lines.joined(separator: "\n")
    }

    /// Removes the lines from the first that `from` accepts to the first after it that `to`
    /// accepts, both included; lines starting with `nested` (trimmed) open blocks whose own end
    /// is skipped over.
    private static func removeBlock(_ lines: inout [String], from: (String) -> Bool, to: (String) -> Bool, nested: String?) {
        guard let start = lines.firstIndex(where: from) else { return }
        var depth = 0
        var end = start + 1
        while end < lines.count {
            if let nested, lines[end].trimmingSpaces.hasPrefix(nested) { depth += 1 }
            if to(lines[end]) {
                if depth == 0 { break }
                depth -= 1
            }
            end += 1
        }
        lines.removeSubrange(start...min(end, lines.count - 1))
    }

    /// Removes the shell function `name() {` ... `}`.
    private static func removeFunction(_ lines: inout [String], named name: String) {
        removeBlock(&lines, from: { $0.hasPrefix(name + "() {") }, to: { $0 == "}" }, nested: nil)
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return String(text)
    }
}
