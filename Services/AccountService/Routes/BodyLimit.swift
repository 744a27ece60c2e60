import Hummingbird
import NIOCore
import Shared

/// The largest request body a group of routes reads, answered 413 before any handler sees it:
/// `{"error":{…}}` for the APIs, a page for the browser's forms. Well above what each needs,
/// far below what would cost memory:
/// - forms, 16 KiB: the biggest, signup, is under 2 KiB filled to every field's limit (email
///   254 bytes, password 1 KiB, DJ name 40 characters, time zone 64, the CSRF token);
/// - the JSON API, 16 KiB: the same fields;
/// - the internal routes, 4 KiB: a stream key (at most 128 bytes) or a session token (well
///   under 1 KiB);
/// - the forms that carry a profile picture (signup, settings), the picture's 4 MiB and 64 KiB
///   for the fields and the multipart framing; a picture over 4 MiB in a body under that gets
///   the picture's own 413;
/// - the picture API, whose body is the picture: exactly its limit.
struct BodyLimit: RouterMiddleware {
    typealias Context = ServiceRequestContext

    static let forms = 16 * 1024
    static let api = 16 * 1024
    static let `internal` = 4 * 1024
    static let pictureForms = ProfilePicture.maximumUploadBytes + 64 * 1024
    static let picture = ProfilePicture.maximumUploadBytes

    enum Refusal: Sendable {
        case json
        case page(WebSession)
    }

    let maximumBytes: Int
    let refusal: Refusal
    /// What the refusal says instead of the generic sentence, where the route knows better.
    var explanation: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumBytes {
            return try refuse(request, context)
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maximumBytes)
        } catch is NIOTooManyBytesError {
            return try refuse(request, context)
        }
        return try await next(request, context)
    }

    private func refuse(_ request: Request, _ context: Context) throws -> Response {
        let limit = "\(maximumBytes / 1024) KiB"
        switch refusal {
        case .json:
            return try APIError(.contentTooLarge, code: "body_too_large", message: explanation ?? "The request body is over \(limit), more than this route ever reads.")
                .response(from: request, context: context)
        case .page(let web):
            return web.message(
                WebVisit(user: nil, token: nil, csrf: "", setCSRFCookie: false), heading: "Too much",
                text: explanation ?? "That was more than any form here holds (\(limit)). Go back and try again with less.", status: .contentTooLarge
            )
        }
    }
}
