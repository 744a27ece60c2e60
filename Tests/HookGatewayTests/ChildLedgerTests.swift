import Foundation
import Testing
import TestSupport
@testable import HookGateway

/// What a gateway killed outright left running is ended at the next start, and only that: real
/// children, real signals, `/proc`.
@Suite struct ChildLedgerTests {
    @Test func aStartEndsTheChildrenAKilledRunLeftAndNothingElse() async throws {
        let directory = try temporaryDirectory("children")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = ChildLedger(directory: directory.path)
        // A relay and a recording as the killed run left them: still running, still listed.
        let relay = try ChildProcess.spawn("/usr/bin/sleep", ["300"], pipeStandardOutput: false)
        let recording = try ChildProcess.spawn("/usr/bin/sleep", ["300"], pipeStandardOutput: false)
        ledger.started(relay.pid, role: .relay)
        ledger.started(recording.pid, role: .recording)
        // A pid the kernel has given to another process since: the start time does not match.
        let stranger = try ChildProcess.spawn("/usr/bin/sleep", ["300"], pipeStandardOutput: false)
        try Data("1 relay\n".utf8).write(to: directory.appendingPathComponent("\(stranger.pid)"))
        defer { kill(stranger.pid, SIGKILL) }

        // The next run's ledger (same directory) ends both listed children: sleep takes SIGINT.
        let ended = ChildLedger(directory: directory.path).endOrphans(grace: .seconds(5))
        #expect(ended == 2)
        #expect(await exitSignal(relay.pid) == SIGKILL)
        #expect(await exitSignal(recording.pid) == SIGINT)
        #expect(ChildLedger.isRunning(stranger.pid), "a pid whose start time differs is not signalled")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aChildThatEndedIsNoLongerListed() async throws {
        let directory = try temporaryDirectory("children-ended")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = ChildLedger(directory: directory.path)
        let child = try ChildProcess.spawn("/usr/bin/true", [], pipeStandardOutput: false)
        ledger.started(child.pid, role: .relay)
        _ = await exitSignal(child.pid)
        ledger.ended(child.pid)
        #expect(ledger.endOrphans() == 0)
    }

    /// Reaps the child and returns the signal that ended it (0 for a normal exit).
    private func exitSignal(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status & 0x7f)
            }.start()
        }
    }
}
