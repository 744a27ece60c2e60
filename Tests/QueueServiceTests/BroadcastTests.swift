import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import QueueService

/// HookGateway's report that the broadcast went live or ended: journaled as `broadcast.started`
/// / `broadcast.ended`, only on a change, for Notifier to announce.
@Suite struct BroadcastTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aStartAndAnEndAreEventsAndRepeatsAreNot() {
        var machine = QueueMachine(state: QueueState(swapInterval: 3600))
        let started = machine.broadcast(BroadcastChange(live: true, source: "programme"), now: t0)
        #expect(started.map(\.type) == [.broadcastStarted])
        #expect(started.first?.payload == QueueEventPayload(startedAt: t0, source: "programme"))
        #expect(machine.broadcast(BroadcastChange(live: true, source: "programme"), now: t0 + 5).isEmpty, "a retried report is no news")
        #expect(machine.broadcast(BroadcastChange(live: true, source: "lead"), now: t0 + 6).isEmpty)

        let ended = machine.broadcast(BroadcastChange(live: false, source: "programme"), now: t0 + 5400)
        #expect(ended.map(\.type) == [.broadcastEnded])
        #expect(ended.first?.payload == QueueEventPayload(startedAt: t0, seconds: 5400, source: "programme"))
        #expect(ended.first?.seq == started.first.map { $0.seq + 1 })
        #expect(machine.broadcast(BroadcastChange(live: false, source: "programme"), now: t0 + 5401).isEmpty, "an end without a start is not announced")
        #expect(machine.state.broadcast == nil)
    }

    func post(_ client: some TestClientProtocol, _ body: String, headers: HTTPFields = internalAuth) async throws -> (HTTPResponse.Status, String) {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await client.execute(uri: "/internal/v1/broadcast", method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, String(buffer: $0.body))
        }
    }

    func postStatus(_ client: some TestClientProtocol, _ body: String, headers: HTTPFields = internalAuth) async throws -> HTTPResponse.Status {
        try await post(client, body, headers: headers).0
    }

    @Test func theRouteTakesTheInternalTokenOnlyAndJournalsTheEventsAcrossARestart() async throws {
        let data = try temporaryDirectory("broadcast").path
        try await queueApp("broadcast", ["DATA_DIR": data]).test(.live) { client async throws in
            #expect(try await postStatus(client, #"{"live":true,"source":"programme"}"#, headers: [:]) == .unauthorized)
            #expect(try await postStatus(client, #"{"live":true,"source":"somewhere"}"#) == .badRequest)
            #expect(try await postStatus(client, #"{"live":"yes"}"#) == .badRequest)
            #expect(try await post(client, #"{"live":true,"source":"programme"}"#) == (.ok, #"{"changed":true}"#))
            #expect(try await post(client, #"{"live":true,"source":"programme"}"#) == (.ok, #"{"changed":false}"#))
        }
        try await queueApp("broadcast", ["DATA_DIR": data]).test(.live) { client async throws in
            #expect(try await post(client, #"{"live":false,"source":"programme"}"#) == (.ok, #"{"changed":true}"#), "the start survived the restart")
            try await client.execute(uri: "/internal/v1/events?after=0", method: .get, headers: internalAuth) { response in
                let page = try JSONCoding.decoder.decode(EventPage.self, from: response.body)
                #expect(page.events.map(\.type) == [.broadcastStarted, .broadcastEnded])
                #expect(page.events.map(\.payload.source) == ["programme", "programme"])
                #expect(page.events.last?.payload.seconds.map { $0 >= 0 } == true)
            }
        }
    }
}
