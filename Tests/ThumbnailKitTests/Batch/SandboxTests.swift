import Foundation
import Testing
@testable import ThumbnailKit

/// The sandbox's decisions that can be checked without entering it (entering is for good, so the
/// test process must not): Tests/EndToEndTests/SandboxTests.swift enters it in helper processes.
@Suite struct SandboxTests {
    @Test func writableFoldersAreTheFewestThatCoverEveryOutputFolder() {
        #expect(SandboxPolicy.covering(["t/a", "t", "t/a/b", "u/", "tt", "t/a"]) == ["t", "tt", "u"])
        #expect(SandboxPolicy.covering(["out/x", "out/y", "out/x/z"]) == ["out/x", "out/y"])
        #expect(SandboxPolicy.covering(["/srv/thumbs/a", "/", "rel"]) == ["/"])
        #expect(SandboxPolicy.covering(["."]) == ["."])
        #expect(SandboxPolicy.covering([String]()) == [])
    }

    static let everything = SandboxSupport(landlockABI: 7, landlockProblem: nil, seccomp: true, seccompProblem: nil)
    static let noLandlock = SandboxSupport(landlockABI: nil, landlockProblem: "no Landlock (landlock_create_ruleset: Function not implemented)",
                                           seccomp: true, seccompProblem: nil)

    @Test func modesAgainstWhatTheKernelOffers() {
        for mode in SandboxMode.allCases { #expect(Sandbox.check(mode, support: Self.everything) == .ready) }
        #expect(Sandbox.check(.off, support: Self.noLandlock) == .ready)
        guard case .incomplete(let warning) = Sandbox.check(.on, support: Self.noLandlock) else {
            Issue.record("on without Landlock should run with a warning")
            return
        }
        #expect(warning.contains("no Landlock") && warning.contains("--sandbox off"))
        guard case .unavailable(let refusal) = Sandbox.check(.require, support: Self.noLandlock) else {
            Issue.record("require without Landlock should refuse")
            return
        }
        #expect(refusal.hasPrefix("--sandbox require:") && refusal.contains("no Landlock"))
    }

    @Test func theKernelHereIsAskedNotAssumed() {
        let support = SandboxSupport.current()
        #expect((support.landlockABI == nil) == (support.landlockProblem != nil))
        #expect(support.seccomp == (support.seccompProblem == nil))
        if let abi = support.landlockABI { #expect(abi >= 1) }
    }

    @Test func everyRightTheABIKnowsIsHandledSoNoneStaysOpen() {
        #expect(Sandbox.handledRights(abi: 1) == (0x1FFF, 0, 0))
        #expect(Sandbox.handledRights(abi: 2).filesystem == 0x3FFF)
        #expect(Sandbox.handledRights(abi: 3).filesystem == 0x7FFF)
        #expect(Sandbox.handledRights(abi: 4) == (0x7FFF, 0x3, 0))
        #expect(Sandbox.handledRights(abi: 5).filesystem == 0xFFFF)
        #expect(Sandbox.handledRights(abi: 6) == (0xFFFF, 0x3, 0x3))
        #expect(Sandbox.handledRights(abi: 7) == (0xFFFF, 0x3, 0x3))
        // Output folders: files in and out, nothing else (no exec, folders, links, devices, truncation).
        #expect(Sandbox.outputRights == Sandbox.readFile | Sandbox.readDir | Sandbox.writeFile | Sandbox.makeRegular | Sandbox.removeFile)
        #expect(Sandbox.readRights & (Sandbox.execute | Sandbox.writeFile) == 0)
    }

    @Test func theAllowListNamesRealCallsAndNoDangerousOne() {
        let rules = Sandbox.allowList(pid: getpid())
        let names = rules.map(\.name)
        #expect(Set(names).count == names.count, "a call listed twice")
        for rule in rules {
            #expect(!rule.why.isEmpty)
            #if arch(x86_64)
            #expect(Sandbox.syscallNumber(rule.name) != nil, "\(rule.name) is not a system call here")
            #endif
        }
        let forbidden = ["socket", "connect", "bind", "execve", "execveat", "fork", "vfork", "ptrace", "mount",
                         "kill", "clone3", "process_vm_writev", "setuid", "chmod", "symlink", "link", "mkdir"]
        #expect(Set(names).isDisjoint(with: forbidden))
        // clone only with the thread flags.
        let clone = try? #require(rules.first { $0.name == "clone" })
        #expect(clone?.conditions.count == 1)
        #expect(clone?.conditions.first?.datum_a == 0x0001_0100)
    }

    @Test func aBlockedCallLineIsReadAndNamed() throws {
        #expect(Sandbox.blockedSyscall(in: Array("blocked-syscall 41".utf8)) == 41)
        #expect(Sandbox.blockedSyscall(in: Array("{\"id\":1}".utf8)) == nil)
        #expect(Sandbox.blockedSyscall(in: Array("blocked-syscall ".utf8)) == nil)
        let socket = try #require(Sandbox.syscallNumber("socket"))
        #expect(Sandbox.syscallName(socket) == "socket")
        #expect(Sandbox.syscallName(99_999) == "#99999")
    }

    @Test func theSandboxTravelsInTheSpecButNeverChangesTheRenderingKey() throws {
        var spec = ThumbnailSpec()
        let key = spec.renderingKey
        spec.sandbox = SandboxPolicy(mode: .require, writableFolders: ["out", "/tmp/x"])
        #expect(spec.renderingKey == key)
        let line = WorkerProtocol.encodeLine(spec)
        let decoded = try #require(WorkerProtocol.decode(ThumbnailSpec.self, from: Array(line.dropLast())))
        #expect(decoded == spec)
    }
}
