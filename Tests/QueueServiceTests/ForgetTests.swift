import Foundation
import Logging
import Shared
import Testing
import TestSupport
@testable import QueueService

/// An account deleted or deactivated in AccountService (`/internal/v1/users/forget`): its DJ
/// leaves the queue wherever they are, and every SRS session of theirs is kicked, so their
/// encoder is dropped rather than left streaming into a queue that no longer has them.
@Suite struct ForgetTests {
    let logger = Logger(label: "forget-test")

    func engine(_ directory: URL, sender: FakeKickSender) async throws -> QueueEngine {
        let engine = try QueueEngine(
            journal: FileJournal(directory: directory.path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger),
            clock: SystemQueueClock(), rules: QueueRules(leadGrace: 15, waitingGrace: 15), swapInterval: 3600, forwardTargets: [],
            kicks: KickDispatcher(sender: sender, logger: logger), logger: logger
        )
        await engine.start()
        return engine
    }

    func publish(_ name: String, client: String, user: UUID) -> PublishRequest {
        PublishRequest(clientId: client, userId: user, djName: name, app: "live", stream: "KEY\(client)")
    }

    @Test func aForgottenDJLeavesTheQueueAndEveryEncoderOfTheirsIsKicked() async throws {
        let sender = FakeKickSender()
        let engine = try await engine(try temporaryDirectory("forget"), sender: sender)
        let (alpha, bravo, charlie) = (UUID(), UUID(), UUID())
        _ = try await engine.publish(publish("Alpha", client: "a1", user: alpha))
        // Alpha's encoder reconnected: two sessions, both must go.
        _ = try await engine.publish(publish("Alpha", client: "a2", user: alpha))
        _ = try await engine.publish(publish("Bravo", client: "b1", user: bravo))
        _ = try await engine.publish(publish("Charlie", client: "c1", user: charlie))

        try await engine.forget(bravo)
        #expect(await engine.queueJSON().streamQueue == ["Alpha", "Charlie"])
        try await eventually("Bravo's encoder was kicked") { sender.sent == ["b1"] }

        try await engine.forget(alpha)
        #expect(await engine.queueJSON().streamQueue == ["Charlie"])
        try await eventually("both of Alpha's encoders were kicked") { Set(sender.sent) == ["a1", "a2", "b1"] }
        #expect(await engine.openSessions().map(\.clientId) == ["c1"])

        // Every kick SRS confirmed is settled in the log.
        try await eventually("the kicks are settled") {
            let settled = await engine.feed.page(after: 0, limit: 100).events.filter { $0.type == .kickSettled }.compactMap(\.payload.clientId)
            return Set(settled) == ["a1", "a2", "b1"]
        }
    }

    /// A DJ whose encoder already dropped (held for the reconnect grace) has no session to kick,
    /// but leaves the queue all the same instead of keeping their place.
    @Test func aForgottenDJInTheirGraceLeavesToo() async throws {
        let sender = FakeKickSender()
        let engine = try await engine(try temporaryDirectory("forget"), sender: sender)
        let (alpha, bravo) = (UUID(), UUID())
        _ = try await engine.publish(publish("Alpha", client: "a1", user: alpha))
        _ = try await engine.publish(publish("Bravo", client: "b1", user: bravo))
        _ = try await engine.closeSession(SessionCloseRequest(clientId: "b1", action: "on_unpublish"))
        #expect(await engine.publicQueue().waiting.first?.disconnected == true)

        try await engine.forget(bravo)
        #expect(await engine.queueJSON().streamQueue == ["Alpha"])
        #expect(sender.sent.isEmpty)
    }
}
