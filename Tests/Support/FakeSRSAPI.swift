import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// SRS's HTTP API as the gateway meets it (reference/protocols.md §1.6): errors are HTTP 200
/// with a non-zero code, `DELETE /api/v1/clients/{id}` answers with the recorded envelopes,
/// `GET /api/v1/clients` lists the clients it holds in the recorded shape and pages them like
/// SRS, `GET /api/v1/streams` answers the recorded one-stream list (publisher `z26773g6`, so
/// the stream-health monitor reports it and no session the tests open), and basic auth, when
/// configured, answers 401 with an empty body.
public final class FakeSRSAPI: Sendable {
    public let server: LiveServer

    struct State {
        /// Client id → stream name, for the hooks SRS sends after a kick.
        var connected: [String: String] = [:]
        var kicks: [String] = []
        /// The codes the next kicks are refused with, first to last.
        var refusals: [Int] = []
        var hookURL: String?
        /// Every `GET /api/v1/clients`, as the `start` and `count` SRS used (after its own clamping).
        var listings: [ClientListing] = []
        /// The next listings answered properly before `listingFailures` begin.
        var listingsBeforeFailure = 0
        var listingFailures: [ClientListFailure] = []
    }

    /// The page SRS answered: `start` and `count` as it applied them.
    public struct ClientListing: Equatable, Sendable {
        public var start: Int
        public var count: Int

        public init(start: Int, count: Int) {
            self.start = start
            self.count = count
        }
    }

    /// How a `GET /api/v1/clients` can go wrong.
    public enum ClientListFailure: Sendable, Equatable {
        /// HTTP 200 with a non-zero `code`, the way SRS reports any error.
        case code(Int)
        /// Another HTTP status with an empty body (a proxy in front of SRS, or SRS going down).
        case status(Int)
        /// A well-formed start of the page, cut off before its end.
        case truncated
        /// A correct page, but from another SRS process (its `service` id differs), as when SRS
        /// restarts while the gateway is paging.
        case otherProcess
    }

    public static func start(username: String? = nil, password: String? = nil) async throws -> FakeSRSAPI {
        let state = NIOLockedValueBox(State())
        let deleteKnown = try SRSFixture.text("api-v1-clients-delete.response.json")
        let deleteUnknown = try SRSFixture.text("api-v1-clients-delete-unknown.response.json")
        let listing = try ClientList(recorded: SRSFixture.text("api-v1-clients.json"))
        let streams = try SRSFixture.text("api-v1-streams.json")
        guard let open = streams.range(of: #""streams":["#) else { throw FakeSRSError("api-v1-streams.json is not the recorded stream list") }
        let pastTheEnd = streams[..<open.upperBound] + "]}"
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
        router.get("api/v1/clients") { request, _ -> Response in
            // SRS reads both with atoi and clamps them: `start` at least 0, `count` at least 10.
            let start = max(0, request.uri.queryParameters["start"].flatMap { Int($0) } ?? 0)
            let count = max(10, request.uri.queryParameters["count"].flatMap { Int($0) } ?? 10)
            let (connected, failure) = state.withLockedValue { state -> ([(id: String, stream: String)], ClientListFailure?) in
                state.listings.append(ClientListing(start: start, count: count))
                // SRS keeps its clients in a map ordered by id and pages through it in that order.
                let connected = state.connected.sorted { $0.key < $1.key }.map { (id: $0.key, stream: $0.value) }
                guard !state.listingFailures.isEmpty else { return (connected, nil) }
                guard state.listingsBeforeFailure == 0 else {
                    state.listingsBeforeFailure -= 1
                    return (connected, nil)
                }
                return (connected, state.listingFailures.removeFirst())
            }
            let page = Array(connected.dropFirst(start).prefix(count))
            let body: String
            switch failure {
            case nil: body = listing.page(page)
            case .code(let code): body = #"{"code":\#(code)}"#
            case .status(let status): return Response(status: .init(code: status))
            case .truncated: body = String(listing.page(page).dropLast(40))
            case .otherProcess: body = listing.page(page, service: "0t4er9pr")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("api/v1/streams") { request, _ -> Response in
            // The recorded list holds one stream: SRS's first page, and an empty list past it.
            let start = max(0, request.uri.queryParameters["start"].flatMap { Int($0) } ?? 0)
            let body = start == 0 ? streams : String(pastTheEnd)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
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

    /// Pretend this client's connection is gone (its encoder stopped, or the network dropped it).
    public func disconnect(_ clientId: String) {
        stateBox.withLockedValue { $0.connected[clientId] = nil }
    }

    /// Every `GET /api/v1/clients` received, in order.
    public var listings: [ClientListing] { stateBox.withLockedValue { $0.listings } }

    /// After `succeeding` more good answers, the next `times` client listings fail this way.
    public func failClientListings(_ failure: ClientListFailure, after succeeding: Int = 0, times: Int = 1) {
        stateBox.withLockedValue { state in
            state.listingsBeforeFailure = succeeding
            state.listingFailures = Array(repeating: failure, count: times)
        }
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

/// `GET /api/v1/clients` pages built from the recorded one: its envelope, and its one client as
/// the template for every client the fake holds (id, stream name and URL replaced).
struct ClientList: Sendable {
    let head: String
    let client: String
    let tail: String
    let recordedId: String
    let recordedStream: String
    let recordedService: String

    init(recorded text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        guard let object, let service = object["service"] as? String,
              let first = (object["clients"] as? [[String: Any]])?.first,
              let id = first["id"] as? String, let stream = first["name"] as? String,
              let open = text.range(of: #""clients":["#), let close = text.range(of: "]}", options: .backwards)
        else { throw FakeSRSError("api-v1-clients.json is not the recorded one-client listing") }
        head = String(text[..<open.upperBound])
        client = String(text[open.upperBound..<close.lowerBound])
        tail = String(text[close.lowerBound...])
        recordedId = id
        recordedStream = stream
        recordedService = service
    }

    func page(_ clients: [(id: String, stream: String)], service: String? = nil) -> String {
        var head = self.head
        if let service {
            head = head.replacingOccurrences(of: #""service":"\#(recordedService)""#, with: #""service":"\#(service)""#)
        }
        let objects = clients.map { connected in
            client
                .replacingOccurrences(of: #""id":"\#(recordedId)""#, with: #""id":\#(Self.json(connected.id))"#)
                .replacingOccurrences(of: #""url":"/live/\#(recordedStream)""#, with: #""url":\#(Self.json("/live/" + connected.stream))"#)
                .replacingOccurrences(of: #""name":"\#(recordedStream)""#, with: #""name":\#(Self.json(connected.stream))"#)
        }
        return head + objects.joined(separator: ",") + tail
    }

    private static func json(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

struct FakeSRSError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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
