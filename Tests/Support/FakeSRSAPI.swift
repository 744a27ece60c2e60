import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// SRS's HTTP API as the gateway meets it (reference/protocols.md §1.6): errors are HTTP 200
/// with a non-zero code, `DELETE /api/v1/clients/{id}` answers with the recorded envelopes,
/// and basic auth, when configured, answers 401 with an empty body.
public final class FakeSRSAPI: Sendable {
    public let server: LiveServer

    struct State {
        /// Client id → stream name, for the hooks SRS sends after a kick.
        var connected: [String: String] = [:]
        var kicks: [String] = []
        /// The codes the next kicks are refused with, first to last.
        var refusals: [Int] = []
        var hookURL: String?
    }

    public static func start(username: String? = nil, password: String? = nil) async throws -> FakeSRSAPI {
        let state = NIOLockedValueBox(State())
        let deleteKnown = try SRSFixture.text("api-v1-clients-delete.response.json")
        let deleteUnknown = try SRSFixture.text("api-v1-clients-delete-unknown.response.json")
        let clients = try SRSFixture.text("api-v1-clients.json")
        let router = Router()
        let expected = username.map { "Basic " + Data("\($0):\(password ?? "")".utf8).base64EncodedString() }
        router.add(middleware: BasicAuthGate(expected: expected))
        router.delete("api/v1/clients/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            let (body, hangUp): (String, (url: String, stream: String)?) = state.withLockedValue { state in
                state.kicks.append(id)
                if !state.refusals.isEmpty {
                    return (#"{"code":\#(state.refusals.removeFirst())}"#, nil)
                }
                guard let stream = state.connected.removeValue(forKey: id) else { return (deleteUnknown, nil) }
                return (deleteKnown, state.hookURL.map { ($0, stream) })
            }
            if let hangUp {
                // Like SRS: the kicked publisher is dropped ~90 ms later, then on_unpublish and on_close follow.
                Task {
                    try? await Task.sleep(for: .milliseconds(90))
                    for fixture in ["on_unpublish.json", "on_close.json"] {
                        let hook = try SRSFixture.body(fixture, streamKey: hangUp.stream, clientId: id)
                        _ = try? await TestHTTP().post(hangUp.url, json: hook)
                    }
                }
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("api/v1/clients") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: clients)))
        }
        return FakeSRSAPI(state: state, server: try await LiveServer.start(router, label: "fake-srs-api"))
    }

    private init(state: NIOLockedValueBox<State>, server: LiveServer) {
        self.server = server
        self.stateBox = state
    }

    private let stateBox: NIOLockedValueBox<State>

    /// Pretend SRS holds a connection with this client id (publishing this stream).
    public func connect(_ clientId: String, stream: String = "KEY123") {
        stateBox.withLockedValue { $0.connected[clientId] = stream }
    }

    /// Where to send the hooks SRS fires after a kick (the gateway's hook URL with its secret).
    public func sendHooks(to url: String) {
        stateBox.withLockedValue { $0.hookURL = url }
    }

    /// Every DELETE received, in order.
    public var kicks: [String] { stateBox.withLockedValue { $0.kicks } }

    public func isConnected(_ clientId: String) -> Bool {
        stateBox.withLockedValue { $0.connected[clientId] != nil }
    }

    /// The next n kicks are refused the way SRS refuses anything: HTTP 200 with a non-zero
    /// `code` (400 is what SRS answers for a client it knows but holds no connection for).
    public func failNextKicks(_ count: Int, code: Int = 400) {
        stateBox.withLockedValue { $0.refusals = Array(repeating: code, count: count) }
    }

    public func stop() async {
        await server.stop()
    }
}

struct BasicAuthGate<Context: RequestContext>: RouterMiddleware {
    let expected: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected else { return try await next(request, context) }
        guard request.headers[.authorization] == expected else {
            return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"SRS\""])
        }
        return try await next(request, context)
    }
}
