import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization
import Testing
import TestSupport

/// The fake obs-websocket server answers an Identify the way obs-websocket does
/// (WebSocketServer_Protocol.cpp): the password first, then the RPC version.
@Suite(.timeLimit(.minutes(1))) struct FakeOBSTests {
    struct Outcome {
        /// The op code of the server's answer, when it answered instead of closing.
        var op: Int?
        var closeCode: UInt16?
        var closeReason: String?
    }

    /// Connects with an independent client, sends `identify` as the Identify's `d`, and reports
    /// what the server did.
    func identify(_ obs: FakeOBS, _ identify: String) async throws -> Outcome {
        var logger = Logger(label: "fake-obs-test")
        logger.logLevel = .critical
        let answer = Mutex<Int?>(nil)
        let frame = #"{"op":1,"d":\#(identify)}"#
        let close = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(obs.port)", configuration: WebSocketClientConfiguration(), logger: logger) { inbound, outbound, _ in
            var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            guard case .text? = try await messages.next() else { return }  // Hello
            try await outbound.writeTextMessage(frame)
            guard case .text(let reply)? = try await messages.next() else { return }
            let op = ((try? JSONSerialization.jsonObject(with: Data(reply.utf8))) as? [String: Any])?["op"] as? Int
            answer.withLock { $0 = op }
        }
        return Outcome(op: answer.withLock { $0 }, closeCode: close.map { UInt16(webSocketErrorCode: $0.closeCode) }, closeReason: close?.reason)
    }

    @Test(arguments: [
        (#"{"rpcVersion":2}"#, UInt16(4010), "Your requested RPC version is not supported by this server."),
        (#"{"rpcVersion":0}"#, UInt16(4010), "Your requested RPC version is not supported by this server."),
        (#"{"eventSubscriptions":452}"#, UInt16(4003), "Your payload's data is missing an `rpcVersion`."),
        (#"{"rpcVersion":"1"}"#, UInt16(4004), "Your `rpcVersion` is not an unsigned number."),
        (#"{"rpcVersion":-1}"#, UInt16(4004), "Your `rpcVersion` is not an unsigned number."),
    ])
    func anIdentifyForAnotherRPCVersionIsClosed(identify body: String, code: UInt16, reason: String) async throws {
        let obs = try await FakeOBS.start(password: nil)
        let outcome = await Result { try await identify(obs, body) }
        await obs.shutDown()
        let closed = try outcome.get()
        #expect(closed.op == nil, "no Identified")
        #expect(closed.closeCode == code)
        #expect(closed.closeReason == reason)
    }

    @Test func rpcVersionOneIsIdentified() async throws {
        let obs = try await FakeOBS.start(password: nil)
        let outcome = await Result { try await identify(obs, #"{"rpcVersion":1,"eventSubscriptions":452}"#) }
        await obs.shutDown()
        #expect(try outcome.get().op == 2)
    }

    @Test func aWrongPasswordIsRefusedBeforeTheRPCVersionIsLookedAt() async throws {
        let obs = try await FakeOBS.start(password: "obs-password-1")
        let outcome = await Result { try await identify(obs, #"{"rpcVersion":2,"authentication":"not-it"}"#) }
        await obs.shutDown()
        let closed = try outcome.get()
        #expect(closed.closeCode == 4009)
        #expect(closed.closeReason == "Authentication failed.")
    }
}
