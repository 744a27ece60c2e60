import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The supervisor with fake ffmpeg runs and time on a `TestClock`: which relays run for which
/// targets and source, what a change touches, and how failures are retried.
@Suite(.timeLimit(.minutes(1))) struct RelaySupervisorTests {
    let clock = TestClock()
    let launcher = FakeRelayLauncher()
    let targets = FakeTargets()
    let source = FakeSourceFeed()
    let programme = RelaySource(url: "rtmp://ingest/programme/PROGRAMMEKEY", secrets: ["rtmp://ingest/programme/PROGRAMMEKEY", "PROGRAMMEKEY"])
    let youtube = OutputTarget(id: UUID(), name: "YouTube", url: "rtmp://a.rtmp.youtube.com/live2", streamKey: "yt-key-0123456789", enabled: true)
    let twitch = OutputTarget(id: UUID(), name: "Twitch", url: "rtmp://live.twitch.tv/app", streamKey: "live_tw_0123456789", enabled: true)

    func supervisor(policy: RelayPolicy = RelayPolicy(backoff: Backoff(base: .seconds(1), cap: .seconds(4), jitter: false))) -> RelaySupervisor {
        RelaySupervisor(
            targets: targets, sources: { [source] in source.subscribe() }, launcher: launcher, policy: policy, stopGrace: .seconds(5), clock: clock,
            random: { 1 }, logger: Logger(label: "test")
        )
    }

    /// Runs the supervisor for `body`, then shuts it down the way the service group does.
    func running(_ supervisor: RelaySupervisor, _ body: () async throws -> Void) async throws {
        let task = Task { try await supervisor.run() }
        try await body()
        task.cancel()
        try await task.value
    }

    @Test func oneRelayPerEnabledTargetWhileTheSourceIsLive() async throws {
        var disabled = twitch
        disabled.enabled = false
        targets.set([youtube, disabled])
        let supervisor = supervisor()
        try await running(supervisor) {
            await settle()
            #expect(launcher.runs.isEmpty, "nothing to relay yet")
            source.send(programme)
            try await until { launcher.runs.count == 1 }
            let run = launcher.runs[0]
            #expect(run.source == programme.url)
            #expect(run.destination == "rtmp://a.rtmp.youtube.com/live2/yt-key-0123456789")
            #expect(run.redacting.contains("PROGRAMMEKEY") && run.redacting.contains("yt-key-0123456789"))
            #expect(await supervisor.relayReports()[youtube.id]?.state == .connecting)
            run.progress(RelayStateTests.block(frame: 15, size: 125_000, outTimeMicroseconds: 1_000_000))
            try await until { await supervisor.relayReports()[youtube.id]?.state == .live }
            #expect(await supervisor.statuses().map(\.state) == [.live, .off])

            source.send(nil)
            try await until { run.terminated }
            #expect(await supervisor.relayReports().isEmpty)
        }
    }

    @Test func changingOneTargetNeverTouchesAnother() async throws {
        targets.set([youtube, twitch])
        source.send(programme)
        let supervisor = supervisor()
        try await running(supervisor) {
            try await until { launcher.runs.count == 2 }
            let first = Dictionary(uniqueKeysWithValues: launcher.runs.map { ($0.destination, $0) })
            let youtubeRun = try #require(first[youtube.destination])
            let twitchRun = try #require(first[twitch.destination])

            var renamed = youtube
            renamed.name = "YouTube main"
            targets.set([renamed, twitch])
            await settle()
            #expect(launcher.runs.count == 2 && !youtubeRun.terminated, "a new name is no reason to reconnect")
            #expect(await supervisor.statuses().first?.name == "YouTube main")

            var disabled = twitch
            disabled.enabled = false
            targets.set([renamed, disabled])
            try await until { twitchRun.terminated }
            #expect(!youtubeRun.terminated)

            var newKey = renamed
            newKey.streamKey = "yt-key-NEW-456789"
            targets.set([newKey, disabled])
            try await until { launcher.runs.count == 3 }
            #expect(youtubeRun.terminated, "the old key's relay is stopped before the new one connects")
            #expect(launcher.runs[2].destination == "rtmp://a.rtmp.youtube.com/live2/yt-key-NEW-456789")

            let third = Self.target("Owncast")
            targets.set([newKey, disabled, third])
            try await until { launcher.runs.count == 4 }
            targets.set([disabled, third])
            try await until { launcher.runs[2].terminated }
            #expect(!launcher.runs[3].terminated)
        }
    }

    @Test func aFailedRelayIsRetriedWithBackoffAndTheOthersKeepRunning() async throws {
        targets.set([youtube, twitch])
        source.send(programme)
        let supervisor = supervisor()
        try await running(supervisor) {
            try await until { launcher.runs.count == 2 }
            let twitchRun = try #require(launcher.runs.first { $0.destination == twitch.destination })
            var attempts = 1
            for expected in [1.0, 2.0, 4.0, 4.0] {
                let failing = try #require(launcher.runs.last { $0.destination == youtube.destination })
                failing.said("rtmp://a.rtmp.youtube.com/live2/<redacted>: Connection refused")
                failing.exit(1)
                try await until { await supervisor.relayReports()[youtube.id]?.state == .failing }
                let report = try #require(await supervisor.relayReports()[youtube.id])
                #expect(report.retryInSeconds == expected)
                #expect(report.lastError == "rtmp://a.rtmp.youtube.com/live2/<redacted>: Connection refused")
                #expect(launcher.runs.filter { $0.destination == youtube.destination }.count == attempts)
                try await advance(by: .seconds(expected))
                attempts += 1
                try await until { launcher.runs.filter { $0.destination == youtube.destination }.count == attempts }
            }
            #expect(!twitchRun.terminated && launcher.runs.filter { $0.destination == twitch.destination }.count == 1)
        }
    }

    @Test func aRelayThatSendsNothingIsRestarted() async throws {
        targets.set([youtube])
        source.send(programme)
        let supervisor = supervisor(policy: RelayPolicy(backoff: Backoff(base: .seconds(1), cap: .seconds(4), jitter: false), stallLimit: .seconds(20)))
        try await running(supervisor) {
            try await until { launcher.runs.count == 1 }
            let run = launcher.runs[0]
            run.progress(RelayStateTests.block(frame: 15, size: 125_000, outTimeMicroseconds: 1_000_000))
            for _ in 0..<20 { try await advance(by: .seconds(1)) }
            try await until { run.terminated }
            try await until { await supervisor.relayReports()[youtube.id]?.state == .failing }
            #expect(await supervisor.relayReports()[youtube.id]?.lastError?.hasPrefix("nothing sent for 20 s") == true)
        }
    }

    @Test func aRunThatIgnoresSIGTERMIsKilledAfterTheGrace() async throws {
        targets.set([youtube])
        source.send(programme)
        launcher.ignoreTerminate = true
        let supervisor = supervisor()
        try await running(supervisor) {
            try await until { launcher.runs.count == 1 }
            source.send(nil)
            try await until { launcher.runs[0].terminations == 1 }
            try await advance(by: .milliseconds(500))
            try await until { launcher.runs[0].terminations == 2 }
            #expect(!launcher.runs[0].killed)
            try await advance(by: .milliseconds(4500))
            try await until { launcher.runs[0].killed }
        }
    }

    @Test func aNewSourceRestartsEveryRelayWithIt() async throws {
        targets.set([youtube, twitch])
        source.send(RelaySource(url: "rtmp://ingest/live/ADA_KEY", secrets: ["ADA_KEY"]))
        let supervisor = supervisor()
        try await running(supervisor) {
            try await until { launcher.runs.count == 2 }
            source.send(RelaySource(url: "rtmp://ingest/live/BO_KEY", secrets: ["BO_KEY"]))
            try await until { launcher.runs.count == 4 }
            #expect(launcher.runs[0...1].allSatisfy { $0.terminated })
            #expect(launcher.runs[2...3].allSatisfy { $0.source == "rtmp://ingest/live/BO_KEY" && !$0.terminated })
        }
        #expect(launcher.runs.allSatisfy { $0.terminated }, "shutting down stops every relay")
    }

    static func target(_ name: String) -> OutputTarget {
        OutputTarget(id: UUID(), name: name, url: "rtmp://\(name.lowercased()).example/live", streamKey: "\(name)-key-0123456789", enabled: true)
    }

    /// Moves the clock once the supervisor's tasks sleep on it.
    func advance(by duration: Duration) async throws {
        await settle()
        clock.advance(by: duration)
        await settle()
    }
}

/// Lets the supervisor's tasks run what they can without time passing.
func settle() async {
    for _ in 0..<200 { await Task.yield() }
}

func until(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<20_000 {
        if try await condition() { return }
        await Task.yield()
    }
    Issue.record("condition never held")
    throw CancellationError()
}

final class FakeRelayLauncher: RelayLauncher, @unchecked Sendable {
    private let all = NIOLockedValueBox<[FakeRelayRun]>([])
    private let ignoring = NIOLockedValueBox(false)

    var runs: [FakeRelayRun] { all.withLockedValue { $0 } }
    var ignoreTerminate: Bool {
        get { ignoring.withLockedValue { $0 } }
        set { ignoring.withLockedValue { $0 = newValue } }
    }

    func start(pulling source: String, to destination: String, redacting: [String]) throws -> any RelayRun {
        let run = FakeRelayRun(source: source, destination: destination, redacting: redacting, ignoreTerminate: ignoreTerminate)
        all.withLockedValue { $0.append(run) }
        return run
    }
}

final class FakeRelayRun: RelayRun, @unchecked Sendable {
    let source: String
    let destination: String
    let redacting: [String]
    let output: AsyncStream<RelayOutput>
    private let continuation: AsyncStream<RelayOutput>.Continuation
    private let ignoreTerminate: Bool
    private let state = NIOLockedValueBox((terminations: 0, killed: false, status: Int32?.none))
    private let exitSignal = Wakeup()

    init(source: String, destination: String, redacting: [String], ignoreTerminate: Bool) {
        self.source = source
        self.destination = destination
        self.redacting = redacting
        self.ignoreTerminate = ignoreTerminate
        (output, continuation) = AsyncStream.makeStream()
    }

    var processID: Int32 { 4242 }
    var terminated: Bool { terminations > 0 }
    var terminations: Int { state.withLockedValue { $0.terminations } }
    var killed: Bool { state.withLockedValue { $0.killed } }

    func progress(_ lines: [String]) {
        for line in lines { continuation.yield(.progress(line)) }
    }

    func said(_ line: String) {
        continuation.yield(.said(line))
    }

    /// ffmpeg exits: on SIGTERM with 255, as Debian's does.
    func exit(_ status: Int32) {
        let first = state.withLockedValue { state -> Bool in
            guard state.status == nil else { return false }
            state.status = status
            return true
        }
        guard first else { return }
        continuation.yield(.exited(status: status))
        continuation.finish()
        exitSignal.signal()
    }

    func waitForExit() async -> Int32 {
        while true {
            if let status = state.withLockedValue({ $0.status }) { return status }
            guard await exitSignal.wait() else { return -1 }
        }
    }

    func terminate() {
        state.withLockedValue { $0.terminations += 1 }
        if !ignoreTerminate { exit(255) }
    }

    func kill() {
        state.withLockedValue { $0.killed = true }
        exit(137)
    }
}

final class FakeTargets: OutputTargetsSource, @unchecked Sendable {
    private let current = NIOLockedValueBox<[OutputTarget]>([])
    private let changes = ChangeSignal<Void>()

    func set(_ targets: [OutputTarget]) {
        current.withLockedValue { $0 = targets }
        changes.send(())
    }

    func targets() async -> [OutputTarget] { current.withLockedValue { $0 } }
    func targetChanges() -> AsyncStream<Void> { changes.subscribe() }
}

final class FakeSourceFeed: Sendable {
    private let changes = ChangeSignal<RelaySource?>(latest: .some(nil))

    func send(_ source: RelaySource?) { changes.send(source) }
    func subscribe() -> AsyncStream<RelaySource?> { changes.subscribe() }
}
