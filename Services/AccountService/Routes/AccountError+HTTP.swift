import Hummingbird
import Shared

/// The one place account errors become HTTP: status, stable code, and the headers a client needs.
extension AccountError: HTTPResponseError {
    var apiError: APIError {
        let bearer: HTTPFields = [.wwwAuthenticate: "Bearer"]
        return switch self {
        case .duplicateEmail: .conflict(message, code: "duplicate_email", field: field)
        case .duplicateDJName: .conflict(message, code: "duplicate_dj_name", field: field)
        case .invalidField(let field, _): .unprocessable(message, code: "invalid_\(field)", field: field)
        case .invalidCredentials: APIError(.unauthorized, code: "invalid_credentials", message: message, headers: bearer)
        case .accountDeactivated: APIError(.forbidden, code: "account_deactivated", message: message)
        case .unknownStreamKey: .notFound(message, code: "unknown_stream_key")
        case .userNotFound, .notSignedIn: APIError(.unauthorized, code: "unauthorized", message: message, headers: bearer)
        case .noSuchAccount: .notFound(message)
        case .tooManyAttempts(let seconds): APIError(.tooManyRequests, code: "too_many_attempts", message: message, headers: [.retryAfter: "\(seconds)"])
        case .busy(let seconds): APIError(.serviceUnavailable, code: "busy", message: message, headers: [.retryAfter: "\(seconds)"])
        case .pictureTooLarge: APIError(.contentTooLarge, code: "picture_too_large", message: message, field: field)
        case .unreadablePicture: APIError(.badRequest, code: "unreadable_picture", message: message, field: field)
        case .picturesUnavailable: APIError(.serviceUnavailable, code: "pictures_unavailable", message: message, field: field)
        case .noSuchPicture: .notFound(message, code: "no_such_picture")
        }
    }

    var status: HTTPResponse.Status { apiError.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try apiError.response(from: request, context: context)
    }
}

extension Response {
    /// A page that refused because of `error`, with the `Retry-After` its API answer would carry.
    func carryingRetryAfter(of error: AccountError) -> Response {
        var response = self
        if let seconds = error.apiError.headers[.retryAfter] { response.headers[.retryAfter] = seconds }
        return response
    }
}
