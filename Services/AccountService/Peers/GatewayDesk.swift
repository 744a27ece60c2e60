import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Shared

/// HookGateway, as the web app needs it: the output targets, managed with the admin's own session
/// (HookGateway checks the role and never reads a stream key back), and the recordings, reached
/// with the internal token — HookGateway serves any recording to a caller holding it, so whose a
/// recording is, and who may have it, is decided here.
struct GatewayDesk: Sendable {
    let client: PeerClient
    /// The pool `client` uses, for downloads: `PeerClient` collects a reply whole, a recording is streamed.
    let http: HTTPClient
    let internalToken: Secret

    /// What HookGateway said no to (or that it did not answer), in words for the night page.
    struct Refusal: Error, Equatable {
        var status: Int
        var message: String
    }

    func outputs(token: String, requestID: String) async throws(Refusal) -> OutputsOverview {
        let reply = try await admin(.GET, "/api/v1/admin/outputs", body: nil, token: token, requestID: requestID, timeout: .seconds(2))
        do {
            return try reply.decode(OutputsOverview.self)
        } catch {
            throw Refusal(status: 502, message: "HookGateway's list of outputs could not be read.")
        }
    }

    /// A change to the targets (`POST`, `PATCH`, `DELETE` of `/api/v1/admin/outputs…`); nil when it was made.
    func changeOutputs(_ method: HTTPMethod, _ path: String, body: Data?, token: String, requestID: String) async -> Refusal? {
        do {
            _ = try await admin(method, path, body: body, token: token, requestID: requestID, timeout: nil)
            return nil
        } catch {
            return error
        }
    }

    private func admin(_ method: HTTPMethod, _ path: String, body: Data?, token: String, requestID: String, timeout: Duration?) async throws(Refusal) -> PeerClient.Reply {
        let reply: PeerClient.Reply
        do {
            reply = try await client.authorized(by: Secret("Bearer \(token)")).send(method, path, body: body, requestID: requestID, timeout: timeout)
        } catch {
            throw Refusal(status: 503, message: "HookGateway did not answer: \(error)")
        }
        guard (200..<300).contains(reply.status) else {
            let message = (try? JSONCoding.decode(APIError.Body.self, from: Data(buffer: reply.body)).error.message) ?? "HookGateway answered \(reply.status)"
            throw Refusal(status: reply.status, message: message)
        }
        return reply
    }

    /// Every recording, or HookGateway's answer for `userId` — which the caller still filters.
    func recordings(of userId: UUID?, requestID: String) async throws -> [RecordingView] {
        let path = "/internal/v1/recordings" + (userId.map { "?user_id=\($0.uuidString)" } ?? "")
        // Short: the dashboard waits for this list.
        let reply = try await client.get(path, requestID: requestID, timeout: .seconds(2))
        guard reply.status == 200 else { throw PeerError.unexpected(client, reply) }
        return try reply.decode(RecordingList.self).recordings
    }

    /// The recording's file as HookGateway answers it, its body not yet read: the browser's
    /// `Range` and `If-Range` go along, so a 206 or 416 comes back as HookGateway made it.
    func download(_ id: String, range: String?, ifRange: String?, requestID: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: client.baseURL + "/internal/v1/recordings/" + Self.pathSegment(id))
        request.headers.add(name: "Authorization", value: "Bearer \(internalToken.value)")
        request.headers.add(name: "X-Request-Id", value: requestID)
        if let range { request.headers.add(name: "Range", value: range) }
        if let ifRange { request.headers.add(name: "If-Range", value: ifRange) }
        do {
            // The deadline covers the reply's head only; the body then flows at the browser's pace.
            return try await http.execute(request, timeout: .seconds(5))
        } catch {
            throw PeerError.unreachable(peer: client.baseURL, reason: String(describing: error))
        }
    }

    /// A 404 counts as done: the retention sweep (or a second click) got there first.
    func deleteRecording(_ id: String, requestID: String) async throws {
        let reply = try await client.delete("/internal/v1/recordings/" + Self.pathSegment(id), requestID: requestID)
        guard (200..<300).contains(reply.status) || reply.status == 404 else { throw PeerError.unexpected(client, reply) }
    }

    private static func pathSegment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? id
    }
}
