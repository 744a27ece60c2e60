import Foundation
import Hummingbird
import Shared

struct SignupReply: Codable, ResponseEncodable {
    var user: UserProfile
    var streamKey: String
}

struct AccessTokenReply: Codable, ResponseEncodable {
    var accessToken: String
    var tokenType = "bearer"
    var expiresIn: Int
}

struct StreamKeyReply: Codable, ResponseEncodable {
    var streamKey: String
}

struct LoginForm: Decodable {
    var username: String
    var password: String
}

extension UserProfile: ResponseEncodable {}

/// Signup, login, and a DJ's own account and stream key (under `/api/v1`).
struct AccountRoutes {
    let accounts: Accounts
    let limits: AttemptLimits

    func add(to api: RouterGroup<ServiceRequestContext>) {
        api.post("users/signup") { request, context -> EditedResponse<SignupReply> in
            let form = try await request.decode(as: SignupForm.self, context: context)
            try await limits.enforce(.signUp(client: context.client, email: form.email))
            let (user, key) = try await accounts.signUp(form)
            context.logger.info("account created", metadata: ["user_id": "\(user.id)", "dj": "\(user.djName)"])
            return EditedResponse(status: .created, response: SignupReply(user: UserProfile(user, pictureUrl: accounts.pictureURL(of: user)), streamKey: key))
        }
        api.post("login/access-token") { request, context -> AccessTokenReply in
            let form = try await Self.loginForm(request, context: context)
            try await limits.enforce(.logIn(client: context.client, email: form.username))
            let token = try await accounts.logIn(email: form.username, password: form.password)
            return AccessTokenReply(accessToken: token, expiresIn: Int(accounts.tokenLifetime))
        }
        api.get("users/me") { request, _ -> UserProfile in
            let user = try await authenticatedUser(request)
            return UserProfile(user, pictureUrl: accounts.pictureURL(of: user))
        }
        api.get("users/me/stream-key") { request, _ -> StreamKeyReply in
            StreamKeyReply(streamKey: try accounts.revealStreamKey(of: try await authenticatedUser(request)))
        }
        api.post("users/me/stream-key") { request, context -> StreamKeyReply in
            let user = try await authenticatedUser(request)
            let key = try await accounts.rotateStreamKey(userId: user.id)
            context.logger.info("stream key rotated", metadata: ["user_id": "\(user.id)"])
            return StreamKeyReply(streamKey: key)
        }
    }

    private func authenticatedUser(_ request: Request) async throws -> UserRecord {
        guard let token = request.headers.bearerToken else { throw APIError.unauthorized }
        return try await accounts.user(forToken: token)
    }

    /// The original's OAuth2 password form (`username` = email); JSON is accepted too.
    private static func loginForm(_ request: Request, context: ServiceRequestContext) async throws -> LoginForm {
        if request.headers[.contentType]?.hasPrefix("application/json") == true {
            return try await request.decode(as: LoginForm.self, context: context)
        }
        do {
            return try await URLEncodedFormDecoder().decode(LoginForm.self, from: request, context: context)
        } catch {
            throw APIError.unprocessable("Send the form fields username (your email) and password.", code: "invalid_login_form", field: "username")
        }
    }
}
