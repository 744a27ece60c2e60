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
    ///
    /// About once in a few hundred runs on a loaded machine one of these exchanges never ends:
    /// the client waits on a socket that neither side closes (seen only here, between two ends
    /// of hummingbird-websocket, never in the bridge's tests against this fake). So each attempt
    /// gets a deadline, and a hung attempt is tried once more against a fresh fake; the close
    /// code and reason are still asserted exactly.
    func identify(password: String?, _ identify: String) async throws -> Outcome {
        for attempt in 1...2 {
            let obs = try await FakeOBS.start(password: password)
            // Unstructured on purpose: a hung exchange may not answer cancellation, and a task
            // group would wait for it. A hung attempt and its fake are left behind.
            let outcome: Outcome?
            do {
                outcome = try await firstOf(seconds: 20) { try await exchange(obs, identify) }
            } catch {
                await obs.shutDown()
                throw error
            }
            if let outcome {
                await obs.shutDown()
                return outcome
            }
            print("FakeOBSTests: identify attempt \(attempt) with \(identify) did not end within 20 s")
        }
        throw ExchangeHung(identify: identify)
    }

    struct ExchangeHung: Error, CustomStringConvertible {
        var identify: String
        var description: String { "both identify exchanges with \(identify) hung for 20 s" }
    }

    /// The operation's result, or nil when `seconds` pass first.
    private func firstOf(seconds: Int, _ operation: @escaping @Sendable () async throws -> Outcome) async throws -> Outcome? {
        let once = Mutex<CheckedContinuation<Outcome?, any Error>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            once.withLock { $0 = continuation }
            let finish = { @Sendable (result: Result<Outcome?, any Error>) in
                once.withLock { pending in
                    pending?.resume(with: result)
                    pending = nil
                }
            }
            Task {
                do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                finish(.success(nil))
            }
        }
    }

    private func exchange(_ obs: FakeOBS, _ identify: String) async throws -> Outcome {
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
        let closed = try await identify(password: nil, body)
        #expect(closed.op == nil, "no Identified")
        #expect(closed.closeCode == code)
        #expect(closed.closeReason == reason)
    }

    @Test func rpcVersionOneIsIdentified() async throws {
        #expect(try await identify(password: nil, #"{"rpcVersion":1,"eventSubscriptions":452}"#).op == 2)
    }

    @Test func aWrongPasswordIsRefusedBeforeTheRPCVersionIsLookedAt() async throws {
        let closed = try await identify(password: "obs-password-1", #"{"rpcVersion":2,"authentication":"not-it"}"#)
        #expect(closed.closeCode == 4009)
        #expect(closed.closeReason == "Authentication failed.")
    }
}
