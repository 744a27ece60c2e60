import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// nginx-rtmp's control and stat pages as the gateway meets them (reference/protocols.md §2.5–2.6):
/// a drop answers 200 with the number of sessions dropped, the stat page lists the publishers it holds.
final class FakeNginxControl: Sendable {
    private struct State {
        var publishers: [String: String] = [:]
        var drops: [String] = []
        var failDrops = false
        /// The reconciliation's reads of the stat page, not the stream-health monitor's (one a second).
        var statReads = 0
    }

    private let state: NIOLockedValueBox<State>
    let server: LiveServer
    var controlURL: String { "\(server.baseURL)/control" }
    var statURL: String { "\(server.baseURL)/stat" }

    var drops: [String] { state.withLockedValue { $0.drops } }
    var statReads: Int { state.withLockedValue { $0.statReads } }

    static func start() async throws -> FakeNginxControl {
        let state = NIOLockedValueBox(State())
        let router = Router()
        router.get("control/drop/publisher") { request, _ -> Response in
            let clientId = request.uri.queryParameters["clientid"].map(String.init) ?? ""
            let (fail, dropped) = state.withLockedValue { state in
                state.drops.append(clientId)
                guard !state.failDrops else { return (true, 0) }
                return (false, state.publishers.removeValue(forKey: clientId) == nil ? 0 : 1)
            }
            if fail { return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "<html>500</html>"))) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "\(dropped)")))
        }
        router.get("stat") { request, _ -> Response in
            let forHealth = request.headers[.requestID]?.hasPrefix("health-") == true
            let publishers = state.withLockedValue { state in
                if !forHealth { state.statReads += 1 }
                return state.publishers.sorted { $0.key < $1.key }
            }
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: NginxStatDocuments.document(publishers))))
        }
        return FakeNginxControl(state: state, server: try await LiveServer.start(router, label: "fake-nginx-control"))
    }

    private init(state: NIOLockedValueBox<State>, server: LiveServer) {
        self.state = state
        self.server = server
    }

    func publish(_ clientId: String, name: String) {
        state.withLockedValue { $0.publishers[clientId] = name }
    }

    func failDrops() {
        state.withLockedValue { $0.failDrops = true }
    }

    func stop() async {
        await server.stop()
    }
}

/// What nginx sends and answers, byte for byte where it was captured (reference/protocols.md §2.2).
enum NginxBodies {
    static let flash = "FMLE/3.0%20(compatible%3B%20Lavf59.27"

    static func publish(key: String, clientId: String = "1", app: String = "live", args: String = "") -> String {
        "app=\(app)&flashver=\(flash)&swfurl=&tcurl=rtmp://127.0.0.1:29350/\(app)&pageurl=&addr=127.0.0.1&clientid=\(clientId)&call=publish&name=\(key)&type=live\(args)"
    }

    static func update(key: String, clientId: String = "1", app: String = "live", args: String = "") -> String {
        "app=\(app)&flashver=\(flash)&swfurl=&tcurl=rtmp://127.0.0.1:29350/\(app)&pageurl=&addr=127.0.0.1&clientid=\(clientId)&call=update_publish&time=2&timestamp=1823&name=\(key)\(args)"
    }

    static func done(_ call: String, key: String, clientId: String = "1", app: String = "live") -> String {
        "app=\(app)&flashver=\(flash)&swfurl=&tcurl=rtmp://127.0.0.1:29350/\(app)&pageurl=&addr=127.0.0.1&clientid=\(clientId)&call=\(call)&name=\(key)"
    }
}

@Suite(.serialized) struct NginxRTMPHookRoutesTests {
    let hooks = "/nginx-rtmp/hooks?secret=\(TestSecrets.hook)"
    let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
    let internalAuth: HTTPFields = [.authorization: "Bearer \(TestSecrets.internalToken)", .contentType: "application/json"]

    func withFakes(_ body: (MisbehavingPeers, FakeNginxControl) async throws -> Void) async throws {
        let peers = try await MisbehavingPeers.start()
        let nginx: FakeNginxControl
        do {
            nginx = try await FakeNginxControl.start()
        } catch {
            await peers.stop()
            throw error
        }
        do {
            try await body(peers, nginx)
        } catch {
            await peers.stop()
            await nginx.stop()
            throw error
        }
        await peers.stop()
        await nginx.stop()
    }

    func app(peers: MisbehavingPeers, nginx: FakeNginxControl) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["ACCOUNT_SERVICE_URL"] = peers.server.baseURL
        environment["QUEUE_SERVICE_URL"] = peers.server.baseURL
        environment["INGEST_SERVER"] = "nginx-rtmp"
        environment["NGINX_RTMP_CONTROL_URL"] = nginx.controlURL
        environment["NGINX_RTMP_STAT_URL"] = nginx.statURL
        environment["PEER_TIMEOUT_SECONDS"] = "2"
        return try await buildApplication(try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    func post(_ client: some TestClientProtocol, _ uri: String, _ body: String) async throws -> (HTTPResponse.Status, String, String?) {
        try await client.execute(uri: uri, method: .post, headers: form, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body), response.headers[.connection])
        }
    }

    func statusOf(_ client: some TestClientProtocol, _ uri: String, _ body: String) async throws -> HTTPResponse.Status {
        try await post(client, uri, body).0
    }

    @Test func aKnownKeyIsQueuedByItsClientIdAndAnUnknownOneRefused() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                let (status, body, connection) = try await post(client, hooks, NginxBodies.publish(key: peers.knownKey, args: "&token=abc&x=1"))
                #expect(status == .ok)
                #expect(body == "ok\n")
                #expect(connection == "close")
                let (refused, reason, refusedConnection) = try await post(client, hooks, NginxBodies.publish(key: "UNKNOWN_KEY", clientId: "2"))
                #expect(refused == .forbidden)
                #expect(reason == "unknown stream key\n")
                #expect(refusedConnection == "close")
            }
            #expect(peers.calls.withLockedValue { $0.verify } == [peers.knownKey, "UNKNOWN_KEY"])
            #expect(peers.calls.withLockedValue { $0.publish } == [PublishRequest(clientId: "1", userId: peers.owner.userId, djName: "Night Owl", app: "live", stream: peers.knownKey)])
        }
    }

    @Test func aWrongSecretChangesNothing() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                for uri in ["/nginx-rtmp/hooks", "/nginx-rtmp/hooks?secret=guess", "/nginx-rtmp/hooks?secret="] {
                    let (status, _, connection) = try await post(client, uri, NginxBodies.publish(key: peers.knownKey))
                    #expect(status == .forbidden)
                    #expect(connection == "close")
                }
            }
            #expect(peers.calls.withLockedValue { $0.verify.isEmpty && $0.publish.isEmpty })
        }
    }

    /// nginx appends the publisher's own arguments raw after its fields; a stream URL that repeats
    /// `call`, `name` or `clientid` must not turn a publish into something else.
    @Test func thePublishersOwnArgumentsCannotOverrideNginxsFields() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                let body = NginxBodies.publish(key: "UNKNOWN_KEY", clientId: "7", args: "&call=done&name=\(peers.knownKey)&clientid=8")
                #expect(try await statusOf(client, hooks, body) == .forbidden)
            }
            #expect(peers.calls.withLockedValue { $0.verify } == ["UNKNOWN_KEY"])
            #expect(peers.calls.withLockedValue { $0.unpublish.isEmpty && $0.publish.isEmpty })
        }
    }

    @Test func publishDoneAndDoneCloseTheSessionByClientId() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                #expect(try await statusOf(client, hooks, NginxBodies.done("publish_done", key: peers.knownKey, clientId: "12")) == .ok)
                #expect(try await statusOf(client, hooks, NginxBodies.done("done", key: peers.knownKey, clientId: "12")) == .ok)
                // A relay's close is not the queue's business.
                #expect(try await statusOf(client, hooks, NginxBodies.done("publish_done", key: "copy", clientId: "13", app: "rec")) == .ok)
            }
            #expect(peers.calls.withLockedValue { $0.unpublish } == [
                SessionCloseRequest(clientId: "12", action: "publish_done"), SessionCloseRequest(clientId: "12", action: "done"),
            ])
        }
    }

    /// `on_update` is nginx's own way to end a turn: a publisher QueueService no longer holds (its
    /// turn ended, it was removed) is refused and nginx drops it; one still in the queue stays.
    @Test func anUpdateKeepsOnlyPublishersTheQueueStillHolds() async throws {
        try await withFakes { peers, nginx in
            peers.calls.withLockedValue { $0.openSessions = ["3"] }
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                #expect(try await statusOf(client, hooks, NginxBodies.update(key: peers.knownKey, clientId: "3")) == .ok)
                let (status, reason, connection) = try await post(client, hooks, NginxBodies.update(key: peers.knownKey, clientId: "4"))
                #expect(status == .forbidden)
                #expect(reason.contains("no longer has a place in the queue"))
                #expect(connection == "close")
                let relay = NginxBodies.update(key: "copy", clientId: "5", app: "rec", args: "&relay_secret=\(TestSecrets.relay)")
                #expect(try await statusOf(client, hooks, relay) == .ok)
            }
        }
    }

    /// A queue that cannot be asked keeps the publisher: the next update asks again.
    @Test func anUpdateKeepsThePublisherWhenTheQueueDoesNotAnswer() async throws {
        try await withFakes { peers, nginx in
            await peers.stop()
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                #expect(try await statusOf(client, hooks, NginxBodies.update(key: peers.knownKey, clientId: "3")) == .ok)
            }
        }
    }

    @Test func aRelayWithTheRelaySecretIsAcceptedAndNotQueued() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                let relay = NginxBodies.publish(key: "copy", clientId: "9", app: "rec", args: "&relay_secret=\(TestSecrets.relay)")
                #expect(try await statusOf(client, hooks, relay) == .ok)
                let stranger = NginxBodies.publish(key: "copy", clientId: "10", app: "rec", args: "&relay_secret=guess")
                #expect(try await statusOf(client, hooks, stranger) == .forbidden)
            }
            #expect(peers.calls.withLockedValue { $0.verify.isEmpty && $0.publish.isEmpty })
        }
    }

    @Test func malformedNotificationsAreRefused() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                let (missing, reason, _) = try await post(client, hooks, "app=live&call=publish&name=\(peers.knownKey)")
                #expect(missing == .badRequest)
                #expect(reason == "missing field clientid\n")
                #expect(try await statusOf(client, hooks, "app=live&clientid=1&name=x") == .badRequest)
                #expect(try await statusOf(client, hooks, NginxBodies.publish(key: peers.knownKey, clientId: "..%2F1")) == .badRequest)
                #expect(try await statusOf(client, hooks, "app=live&clientid=1&call=publish&name=%ZZ") == .badRequest)
                #expect(try await statusOf(client, hooks, String(repeating: "a", count: 17 * 1024)) == .contentTooLarge)
            }
            #expect(peers.calls.withLockedValue { $0.verify.isEmpty })
        }
    }

    @Test func otherCallsAreAllowed() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                let play = "app=live&flashver=LNX%209,0,124,2&swfurl=&tcurl=rtmp://127.0.0.1:29350/live&pageurl=&addr=127.0.0.1&clientid=20&call=play&name=x&start=4294966296&duration=0&reset=0"
                #expect(try await statusOf(client, hooks, play) == .ok)
            }
            #expect(peers.calls.withLockedValue { $0.unpublish.isEmpty && $0.verify.isEmpty })
        }
    }

    @Test func kicksGoThroughTheControlModule() async throws {
        try await withFakes { peers, nginx in
            nginx.publish("21", name: peers.knownKey)
            try await app(peers: peers, nginx: nginx).test(.router) { client async throws in
                for expected in [#"{"outcome":"kicked"}"#, #"{"outcome":"already_gone"}"#] {
                    try await client.execute(uri: "/internal/v1/kick", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"client_id":"21"}"#)) { response in
                        #expect(response.status == .ok)
                        #expect(String(buffer: response.body) == expected)
                    }
                }
                nginx.failDrops()
                try await client.execute(uri: "/internal/v1/kick", method: .post, headers: internalAuth, body: ByteBuffer(string: #"{"client_id":"21"}"#)) { response in
                    #expect(response.status == .badGateway)
                    #expect(String(buffer: response.body).contains("nginx-rtmp did not confirm the kick"))
                }
            }
            #expect(nginx.drops == ["21", "21", "21"])
        }
    }

    /// The reconciliation reads the stat page: a session nginx no longer lists is closed, after a
    /// second read that waits long enough for a publish nginx has not yet heard answered.
    @Test func aSessionNginxNoLongerListsIsClosedAtStart() async throws {
        try await withFakes { peers, nginx in
            peers.calls.withLockedValue { $0.openSessions = ["30", "31"] }
            nginx.publish("31", name: peers.knownKey)
            try await app(peers: peers, nginx: nginx).test(.router) { _ in
                #expect(await peers.waitForUnpublishes(1, upTo: .seconds(10)))
            }
            #expect(peers.calls.withLockedValue { $0.unpublish } == [SessionCloseRequest(clientId: "30", action: "ingest_reconcile")])
            #expect(nginx.statReads == 2)
            #expect(nginx.drops.isEmpty)
        }
    }

    /// The bytes nginx-rtmp 1.2.2 sends for a notification, over a raw socket: the reply must come
    /// and the gateway must close the connection, since nginx reads until it does (§2.4) — with
    /// Hummingbird's own handling it stayed open and every publish was dropped after nginx's 10 s.
    @Test func theGatewayClosesNginxsConnectionAfterEveryReply() async throws {
        try await withFakes { peers, nginx in
            try await app(peers: peers, nginx: nginx).test(.live) { client async throws in
                let port = try #require(client.port)
                for body in [NginxBodies.publish(key: peers.knownKey, clientId: "40"), NginxBodies.publish(key: "UNKNOWN_KEY", clientId: "41")] {
                    let request = "POST \(hooks) HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: Close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    let exchange = try await RawSocket.exchange(port: port, request: request, waitForClose: .seconds(3))
                    #expect(exchange.reply.hasPrefix("HTTP/1."))
                    #expect(exchange.reply.lowercased().contains("\r\nconnection: close\r\n"))
                    #expect(exchange.closedByServer, "the gateway left nginx's connection open: \(exchange.reply)")
                }
            }
            #expect(peers.calls.withLockedValue { $0.publish.map(\.clientId) } == ["40"])
        }
    }

    @Test func connectionTokensAreReadWithoutRegardToCase() {
        for value in ["Close", "CLOSE", "keep-alive, Close", " close "] {
            #expect(CaseInsensitiveConnectionClose.asksToClose(value))
        }
        for value in ["keep-alive", "Upgrade", "closed"] {
            #expect(!CaseInsensitiveConnectionClose.asksToClose(value))
        }
    }
}

/// One request over a plain TCP socket, reading until the server closes it or `waitForClose` passes.
enum RawSocket {
    struct Exchange {
        var reply: String
        var closedByServer: Bool
    }

    static func exchange(port: Int, request: String, waitForClose: Duration) async throws -> Exchange {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try blockingExchange(port: port, request: request, waitForClose: waitForClose) })
            }
        }
    }

    private static func blockingExchange(port: Int, request: String, waitForClose: Duration) throws -> Exchange {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw POSIXError(.EPIPE) }
            sent += count
        }
        var timeout = timeval(tv_sec: Int(waitForClose.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                reply += buffer[..<count]
            } else {
                // 0 is the server's FIN; -1 is the receive timeout running out with the connection open.
                return Exchange(reply: String(decoding: reply, as: UTF8.self), closedByServer: count == 0)
            }
        }
    }
}
