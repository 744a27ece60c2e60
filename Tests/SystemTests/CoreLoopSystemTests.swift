import Foundation
import Logging
import PostgresNIO
import Shared
import Testing
import TestSupport

/// The core loop across real processes: DJs sign up over HTTP, SRS's recorded hook bodies are
/// replayed with their keys, and the queue decides who is on air. Once on SQLite, once on PostgreSQL.
@Suite(.serialized) struct CoreLoopSystemTests {
    enum Storage: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    static let forwardTarget = "rtmp://127.0.0.1:1935/record/lead?relay_secret=\(TestSecrets.relay)"

    @Test(arguments: Storage.allCases) func theCoreLoop(_ storage: Storage) async throws {
        let databaseURL = storage == .postgres ? try await TestPostgres.freshDatabaseURL() : nil
        let system = try await RunningSystem.start(
            databaseURL: databaseURL, extra: ["FORWARD_TARGETS": Self.forwardTarget, "LEAD_GRACE_SECONDS": "0", "WAITING_GRACE_SECONDS": "0"]
        )
        try await system.run { system in
            let keyA = try await system.signUp("Alpha")
            let keyB = try await system.signUp("Bravo")
            _ = try await system.signUp("Charlie")

            // A publishes to an empty queue: lead. B: queued.
            let a = try await system.hook("on_publish.json", key: keyA, client: "clienta1")
            #expect(a.status == 200 && a.body == #"{"code":0}"#)
            let b = try await system.hook("on_publish.json", key: keyB, client: "clientb1")
            #expect(b.status == 200 && b.body == #"{"code":0}"#)
            #expect(try await system.queueJSON() == ["Alpha", "Bravo"])

            // SRS asks where to forward: the lead gets the targets, B gets none.
            let forwardA = try await system.hook("on_forward.json", key: keyA, client: "clienta1", path: "srs/forward")
            #expect(forwardA.body == #"{"code":0,"data":{"urls":["\#(Self.forwardTarget)"]}}"#)
            let forwardB = try await system.hook("on_forward.json", key: keyB, client: "clientb1", path: "srs/forward")
            #expect(forwardB.body == #"{"code":0,"data":{"urls":[]}}"#)

            // An unknown key is refused; a wrong secret is refused and changes nothing.
            let unknown = try await system.hook("on_publish.json", key: "NOT_A_REAL_KEY", client: "clientx1")
            #expect(unknown.status == 403)
            #expect(try unknown.json()["code"] as? Int != 0)
            let forged = try await system.hook("on_unpublish.json", key: keyA, client: "clienta1", secret: "guessed")
            #expect(forged.status == 403)
            #expect(try await system.queueJSON() == ["Alpha", "Bravo"])

            // The copy SRS forwards back to itself is accepted with the relay secret, never queued or forwarded.
            let relay = try await system.hook("forwarded-copy.on_publish.json", param: "?relay_secret=\(TestSecrets.relay)")
            #expect(relay.status == 200 && relay.body == #"{"code":0}"#)
            let relayForward = try await system.hook("forwarded-copy.on_forward.json", param: "?relay_secret=\(TestSecrets.relay)", path: "srs/forward")
            #expect(relayForward.body == #"{"code":0,"data":{"urls":[]}}"#)
            #expect(try await system.queueJSON() == ["Alpha", "Bravo"])

            // A leaves: B is lead.
            let leave = try await system.hook("on_unpublish.json", key: keyA, client: "clienta1")
            #expect(leave.status == 200 && leave.body == #"{"code":0}"#)
            #expect(try await system.queueJSON() == ["Bravo"])
            _ = try await system.hook("on_close.json", client: "clienta1")
            _ = try await system.hook("on_unpublish.json", key: keyB, client: "clientb1")
            #expect(try await system.queueJSON() == [])

            // 50 different DJs publish at once onto the empty queue: one lead, 50 distinct entries.
            let crowd = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for index in 0..<50 {
                    group.addTask { ("DJ\(index)", try await system.signUp("DJ\(index)")) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let replies = try await withThrowingTaskGroup(of: TestHTTP.Reply.self) { group in
                for (name, key) in crowd {
                    group.addTask { try await system.hook("on_publish.json", key: key, client: "c\(name.lowercased())") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 && $0.body == #"{"code":0}"# })
            let state = try await system.internalState()
            let lineup = [state.lead].compactMap { $0 } + state.waiting
            #expect(state.lead != nil)
            #expect(lineup.count == 50)
            #expect(Set(lineup.map(\.djName)) == Set(crowd.keys))
            let leadName = try #require(state.lead?.djName)
            let leadClient = try #require(state.lead?.sessions.first?.clientId)

            // Five concurrent unpublishes of the lead: exactly one handover.
            let before = state.seq
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<5 {
                    group.addTask { _ = try await system.hook("on_unpublish.json", key: crowd[leadName], client: leadClient) }
                }
                try await group.waitForAll()
            }
            let handover = try await system.events(after: before).events
            #expect(handover.filter { $0.type == .turnEnded }.count == 1)
            #expect(handover.filter { $0.type == .turnStarted }.count == 1)
            let afterHandover = try await system.internalState()
            #expect(afterHandover.lead?.djName == state.waiting.first?.djName)
            #expect(afterHandover.waiting.count == 48)

            // SIGKILL QueueService and restart it: the queue is intact.
            await system.queue.kill()
            let down = try await system.hook("on_publish.json", key: keyA, client: "clienta2")
            #expect(down.status == 503)
            try await system.queue.start()
            let restored = try await system.internalState()
            let restoredJSON = String(decoding: try JSONCoding.encode(restored), as: UTF8.self)
            let beforeJSON = String(decoding: try JSONCoding.encode(afterHandover), as: UTF8.self)
            #expect(restoredJSON == beforeJSON, "\(restoredJSON.prefix(700)) vs \(beforeJSON.prefix(700))")

            // A kick reaches SRS's API through the gateway.
            system.srs.connect(leadClient)
            let kick = try await TestHTTP().post(
                "\(system.gateway.baseURL)/internal/v1/kick", json: #"{"client_id":"\#(leadClient)"}"#,
                headers: ["Authorization": "Bearer \(TestSecrets.internalToken)"]
            )
            #expect(kick.body == #"{"outcome":"kicked"}"#)
            #expect(system.srs.kicks == [leadClient])
        }
    }

    @Test func aPublishIsRefusedQuicklyWhenAccountServiceIsDown() async throws {
        let system = try await RunningSystem.start()
        try await system.run { system in
            let key = try await system.signUp("Delta")
            await system.accounts.kill()
            let started = ContinuousClock.now
            let reply = try await system.hook("on_publish.json", key: key, client: "clientd1")
            #expect(reply.status == 503)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await system.queueJSON() == [])
        }
    }
}

/// Fresh databases in the throwaway PostgreSQL that `make test` starts.
enum TestPostgres {
    static func freshDatabaseURL() async throws -> String {
        guard let url = TestSecrets.postgresURL, var components = URLComponents(string: url) else {
            throw ServiceProcessError("MOTHERSTREAM_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts a throwaway PostgreSQL")
        }
        let name = "system_\(UUID().uuidString.prefix(8).lowercased())"
        let logger = Logger(label: "test-postgres")
        let client = PostgresClient(
            configuration: .init(host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres", password: nil, database: "postgres", tls: .disable),
            backgroundLogger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            group.cancelAll()
        }
        components.path = "/\(name)"
        return components.string!
    }
}
