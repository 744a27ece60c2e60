import Foundation
import Hummingbird
import NIOCore
import Shared

/// `GET|POST /api/v1/admin/outputs`, `PATCH|DELETE /api/v1/admin/outputs/{id}`: the platforms
/// the broadcast goes out to. Admins only, and — as every state-changing admin route — by bearer
/// token, never the cookie (a cookie rides along on any site's form post). The admin is checked
/// before anything of the request is read. A stream key goes in and never comes out: responses
/// carry only `key_hint`, and no error repeats what was sent.
struct OutputRoutes {
    let desk: OutputDesk
    let gate: AdminGate

    /// A name, a URL and a key of at most 512 bytes each, with room for the JSON around them.
    static let bodyLimit = 4 * 1024

    func add(to router: Router<ServiceRequestContext>) {
        let outputs = router.group("api/v1/admin/outputs")
        outputs.get { request, _ -> OutputsOverview in
            try await admin(request)
            return try await mapped { try await desk.overview() }
        }
        outputs.post { request, context -> Response in
            try await admin(request)
            let input = try await Self.input(request, context: context)
            let view = try await mapped { try await desk.add(input) }
            return try context.responseEncoder.encode(view, from: request, context: context).withStatus(.created)
        }
        outputs.patch(":id") { request, context -> OutputTargetView in
            try await admin(request)
            let id = try Self.id(context)
            let input = try await Self.input(request, context: context)
            return try await mapped { try await desk.update(id, with: input) }
        }
        outputs.delete(":id") { request, context -> HTTPResponse.Status in
            try await admin(request)
            let id = try Self.id(context)
            try await mapped { try await desk.remove(id) }
            return .noContent
        }
    }

    private func admin(_ request: Request) async throws {
        _ = try await gate.requireAdmin(request, allowCookie: false)
    }

    /// The one place these routes' errors become statuses.
    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let problem as OutputTargetProblem {
            throw APIError.badRequest(problem.message, code: "invalid_\(problem.field)", field: problem.field)
        } catch OutputTargetStoreError.notFound {
            throw Self.notFound
        } catch let error as OutputTargetStoreError {
            throw APIError.unavailable("The output targets are unavailable: \(error)", code: "outputs_unavailable")
        }
    }

    private static let notFound = APIError(.notFound, code: "unknown_output", message: "There is no output target with this id.")

    private static func id(_ context: ServiceRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw notFound }
        return id
    }

    /// The body as a target's fields, read up to `bodyLimit` bytes. A body that does not decode is
    /// refused without quoting it: it may hold a stream key.
    private static func input(_ request: Request, context: ServiceRequestContext) async throws -> OutputTargetInput {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > bodyLimit { throw tooLarge }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: bodyLimit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
        do {
            return try JSONCoding.decoder.decode(OutputTargetInput.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest(
                "The body must be a JSON object with name, url, stream_key (strings) and enabled (true or false).", code: "invalid_body"
            )
        }
    }

    private static let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "This route takes a body of at most \(bodyLimit) bytes.")
}

extension Response {
    fileprivate func withStatus(_ status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}
