import Hummingbird
import Shared

/// Everything that can go wrong for an account holder, mapped to HTTP in one place.
enum AccountError: Error, Equatable {
    case duplicateEmail
    case duplicateDJName
    case invalidField(field: String, message: String)
    case invalidCredentials
    case accountDeactivated
    case unknownStreamKey
    case userNotFound

    var apiError: APIError {
        switch self {
        case .duplicateEmail:
            .conflict("An account with this email already exists. Log in instead, or reset your password.", code: "duplicate_email", field: "email")
        case .duplicateDJName:
            .conflict("This DJ name is taken. Pick another one.", code: "duplicate_dj_name", field: "dj_name")
        case .invalidField(let field, let message):
            .unprocessable(message, code: "invalid_\(field)", field: field)
        case .invalidCredentials:
            APIError(.unauthorized, code: "invalid_credentials", message: "Incorrect email or password", headers: [.wwwAuthenticate: "Bearer"])
        case .accountDeactivated:
            APIError(.forbidden, code: "account_deactivated", message: "This account is deactivated. Ask an admin to reactivate it.")
        case .unknownStreamKey:
            .notFound("No active account has this stream key.", code: "unknown_stream_key")
        case .userNotFound:
            APIError(.unauthorized, code: "unauthorized", message: "Your session is no longer valid. Log in again.", headers: [.wwwAuthenticate: "Bearer"])
        }
    }
}

extension AccountError: HTTPResponseError {
    var status: HTTPResponse.Status { apiError.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try apiError.response(from: request, context: context)
    }
}
