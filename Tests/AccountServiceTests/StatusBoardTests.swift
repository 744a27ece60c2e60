import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import AccountService

/// What the admin Status page says of HookGateway's recorder and relays.
@Suite struct StatusBoardTests {
    @Test func aFullDiskIsSaidPlainlyAndTheBroadcastGoesOn() {
        let stopped = RecordingStatus(state: .stoppedForSpace, freeMegabytes: 8, minimumFreeMegabytes: 1024)
        #expect(ServiceStatusBoard.describe(stopped) == "stopped: less than 1024 MB free (the broadcast goes on) · 8 MB free")
        let recording = RecordingStatus(state: .recording, djName: "Night Owl", freeMegabytes: 90_000, minimumFreeMegabytes: 1024, lastError: "connection refused")
        #expect(ServiceStatusBoard.describe(recording) == "recording Night Owl · 90000 MB free · last error: connection refused")
        #expect(ServiceStatusBoard.describe(RecordingStatus(state: .off, minimumFreeMegabytes: 1024)) == "off (RECORD_STREAM)")
    }

    @Test func eachTargetWithItsStateBitrateAndError() {
        let outputs = OutputsStatus(source: "programme", sourceLive: true, targets: [
            OutputRelayStatus(id: UUID(), name: "Twitch", enabled: true, state: .live, kbps: 4521.7),
            OutputRelayStatus(id: UUID(), name: "YouTube", enabled: true, state: .failing, lastError: "Connection refused", retryInSeconds: 4),
            OutputRelayStatus(id: UUID(), name: "Spare", enabled: false, state: .off),
        ])
        #expect(ServiceStatusBoard.describe(outputs) == "programme live · Twitch: live 4521 kbps · YouTube: failing (Connection refused) · Spare: disabled")
        #expect(ServiceStatusBoard.describe(OutputsStatus(source: "lead", sourceLive: false, targets: [])) == "lead not live · no targets")
        #expect(ServiceStatusBoard.describe(nil as OutputsStatus?) == "no relays")
    }

    /// Against one real peer that holds every request until it has seen them all: read one after
    /// another, the panel would have one request open at a time and wait out each deadline.
    @Test func everyServiceIsReadAtOnceAndListedInItsOrder() async throws {
        let peer = HoldingPeer(expected: 8)
        let router = Router()
        router.get("/health") { _, _ in try await peer.hold() }
        router.get("/status") { _, _ in try await peer.hold() }
        let server = try await LiveServer.start(router, label: "holding-peer")
        let http = HTTPClientService()
        let client = PeerClient(baseURL: server.baseURL, http: http.client, authorization: nil, timeout: .seconds(30))
        let names = ["AccountService", "QueueService", "HookGateway", "OBSBridge", "Notifier"]
        let board = ServiceStatusBoard(services: names.map { ($0, client) }, obsBridge: client, notifier: client, gateway: client)
        let read = await board.read()
        try await http.client.shutdown()
        await server.stop()
        // Five /health and three /status.
        #expect(peer.mostAtOnce() == 8)
        #expect(read.services.map(\.name) == names)
        #expect(read.services.allSatisfy { $0.state == "not reachable" })
        #expect(read.obs == ServiceStatusBoard.unreachable)
    }
}

/// Answers 503 once `expected` requests are open together (or after 5 s), and remembers the most
/// it had open at once.
private final class HoldingPeer: Sendable {
    private let expected: Int
    private let counts = NIOLockedValueBox((open: 0, most: 0))

    init(expected: Int) { self.expected = expected }

    func mostAtOnce() -> Int { counts.withLockedValue { $0.most } }

    func hold() async throws -> Response {
        counts.withLockedValue { counts in
            counts.open += 1
            counts.most = max(counts.most, counts.open)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while mostAtOnce() < expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        counts.withLockedValue { $0.open -= 1 }
        return Response(status: .serviceUnavailable)
    }
}
