import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// SRS's HTTP API as the gateway meets it (reference/protocols.md §1.6): errors are HTTP 200
/// with a non-zero code, `DELETE /api/v1/clients/{id}` answers with the recorded envelopes,
/// and basic auth, when configured, answers 401 with an empty body.
public final class FakeSRSAPI: Sendable {
    public let server: LiveServer

    struct State {
        var connected: Set<String> = []
        var kicks: [String] = []
        var failNextKicks = 0
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
            let body: String? = state.withLockedValue { state in
                state.kicks.append(id)
                if state.failNextKicks > 0 {
                    state.failNextKicks -= 1
                    return nil
                }
                return state.connected.remove(id) == nil ? deleteUnknown : deleteKnown
            }
            guard let body else { return Response(status: .internalServerError) }
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

    /// Pretend SRS holds a connection with this client id.
    public func connect(_ clientId: String) {
        stateBox.withLockedValue { _ = $0.connected.insert(clientId) }
    }

    /// Every DELETE received, in order.
    public var kicks: [String] { stateBox.withLockedValue { $0.kicks } }

    public func isConnected(_ clientId: String) -> Bool {
        stateBox.withLockedValue { $0.connected.contains(clientId) }
    }

    /// The next n kicks fail with HTTP 500, as an overloaded SRS might.
    public func failNextKicks(_ count: Int) {
        stateBox.withLockedValue { $0.failNextKicks = count }
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
