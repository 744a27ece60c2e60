import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import QueueService

@Suite struct QueueRoutesTests {
    func app() async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = try temporaryDirectory("queue-routes").path
        let config = try QueueConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        return try await buildApplication(config)
    }

    let auth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)"]

    func publishBody(client: String, name: String) -> ByteBuffer {
        ByteBuffer(string: #"{"client_id":"\#(client)","user_id":"\#(UUID().uuidString)","dj_name":"\#(name)","app":"live","stream":"KEY\#(client)"}"#)
    }

    @Test func internalRoutesRefuseCallersWithoutTheToken() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, body: publishBody(client: "c1", name: "A")) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: [.authorization: "Bearer wrong"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/queue-json", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"stream_queue":[]}"#)
            }
        }
    }

    @Test func publishAnswersTheDecisionAndThePublicViewsHideKeys() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "c1", name: "Alice")) { response in
                #expect(String(buffer: response.body) == #"{"decision":"lead","position":0}"#)
            }
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "c2", name: "Bob")) { response in
                #expect(String(buffer: response.body) == #"{"decision":"queued","position":1}"#)
            }
            for uri in ["/queue-json", "/api/v1/queue"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let body = String(buffer: response.body)
                    #expect(body.contains("Alice") && body.contains("Bob"))
                    #expect(!body.contains("KEY"))
                    #expect(!body.contains("c1"))
                }
            }
            try await client.execute(uri: "/internal/v1/state", method: .get, headers: auth) { response in
                let state = try JSONCoding.decoder.decode(InternalQueueState.self, from: response.body)
                #expect(state.lead?.sessions.map(\.stream) == ["KEYc1"])
                #expect(state.waiting.map(\.djName) == ["Bob"])
            }
        }
    }

    @Test func malformedCommandsAreRefusedWithAReason() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: publishBody(client: "../x", name: "A")) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("client_id"))
            }
            try await client.execute(uri: "/internal/v1/publish", method: .post, headers: auth, body: ByteBuffer(string: #"{"client_id":"c1"}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/events?after=abc", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/events?after=0&wait=600", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/internal/v1/forward", method: .get, headers: auth) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/queue-json", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"stream_queue":[]}"#)
            }
        }
    }

    @Test func operationalRoutesAnswer() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            }
        }
    }
}
