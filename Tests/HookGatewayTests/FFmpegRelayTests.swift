import Foundation
import Logging
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The supervisor with Debian's ffmpeg and nginx-rtmp: the relay goes live from its own progress
/// output, and a relay whose source went quiet (nginx keeps a player waiting) still stops at once.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FFmpegRelayTests {
    @Test func aRelayOfASourceThatWentQuietStopsPromptly() async throws {
        let nginx = try await NginxRTMP.start()
        let publisher = try ColourPublisher.start(colour: "red", to: nginx.url("source"))
        let targets = FakeTargets()
        let target = OutputTarget(id: UUID(), name: "Sink", url: "rtmp://127.0.0.1:\(nginx.port)/live", streamKey: "sink_key_0123456789", enabled: true)
        targets.set([target])
        let source = FakeSourceFeed()
        let supervisor = RelaySupervisor(targets: targets, sources: { source.subscribe() }, launcher: FFmpegRelayLauncher(), logger: Logger(label: "test"))
        let task = Task { try await supervisor.run() }
        do {
            source.send(RelaySource(url: nginx.url("source"), secrets: ["source"]))
            try await wait("the relay is live", within: .seconds(30)) { await supervisor.relayReports()[target.id]?.state == .live }
            let report = try #require(await supervisor.relayReports()[target.id])
            #expect((report.kbps ?? 0) > 10, "\(report)")
            let pid = try #require(await supervisor.processIDs()[target.id])

            await publisher.stop()
            try await Task.sleep(for: .seconds(1))
            let stopping = ContinuousClock.now
            source.send(nil)
            try await wait("the relay is gone", within: .seconds(10)) {
                let gone = await supervisor.relayReports().isEmpty
                return gone && kill(pid, 0) != 0
            }
            let took = ContinuousClock.now - stopping
            #expect(took < .seconds(4), "stopped by its second SIGTERM, not by SIGKILL after the 5 s grace: \(took)")
        } catch {
            task.cancel()
            await nginx.stop()
            throw error
        }
        task.cancel()
        try await task.value
        await nginx.stop()
    }

    func wait(_ what: String, within limit: Duration, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError("timed out waiting until \(what)")
    }
}
