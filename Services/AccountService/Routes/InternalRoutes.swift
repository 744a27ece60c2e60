import Foundation
import Hummingbird
import Shared

/// What HookGateway asks on every publish (whose key is this?) and what the admin routes of the
/// other services ask (is this session still good, and is it an admin's?).
struct InternalRoutes {
    let accounts: Accounts

    /// The usual answer under a flood of wrong keys, so its bytes are encoded once.
    static let unknownKey = PreparedAnswer(AccountError.unknownStreamKey.apiError)

    func add(to group: RouterGroup<ServiceRequestContext>) {
        group.post("stream-keys/verify") { request, context -> Response in
            let body = try await request.decode(as: StreamKeyVerificationRequest.self, context: context)
            do {
                return try await accounts.publisher(forStreamKey: body.streamKey).response(from: request, context: context)
            } catch AccountError.unknownStreamKey {
                return Self.unknownKey.response
            }
        }
        group.post("sessions/check") { request, context -> SessionCheckReply in
            let body = try await request.decode(as: SessionCheckRequest.self, context: context)
            return try await accounts.checkSession(body.token)
        }
    }
}

/// An error's response, encoded once.
struct PreparedAnswer: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    init(_ error: APIError) {
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        self.status = error.status
        self.headers = headers
        self.body = ByteBuffer(data: (try? JSONCoding.encode(error.body)) ?? Data())
    }

    var response: Response { Response(status: status, headers: headers, body: .init(byteBuffer: body)) }
}
