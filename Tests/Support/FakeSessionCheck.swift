import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Shared

/// AccountService's `POST /internal/v1/sessions/check` for tests of the other services' admin
/// routes: a well-signed, unexpired token stands with the role it says, unless the test ended
/// it or changed the account's role. It checks the internal token like the real route.
public final class FakeSessionCheck: Sendable {
    public let server: LiveServer
    private let state: NIOLockedValueBox<(ended: Set<String>, roles: [String: Role], checks: Int)>

    public var baseURL: String { server.baseURL }
    public var checks: Int { state.withLockedValue { $0.checks } }

    public static func start() async throws -> FakeSessionCheck {
        let state = NIOLockedValueBox<(ended: Set<String>, roles: [String: Role], checks: Int)>(([], [:], 0))
        let tokens = await SessionTokens(secret: Secret(TestSecrets.jwt))
        let router = Router(context: ServiceRequestContext.self)
        router.group("internal/v1").add(middleware: InternalTokenMiddleware(token: Secret(TestSecrets.internalToken)))
            .post("sessions/check") { request, context -> SessionCheckReply in
                let body = try await request.decode(as: SessionCheckRequest.self, context: context)
                state.withLockedValue { $0.checks += 1 }
                guard let claims = await tokens.verify(body.token), !state.withLockedValue({ $0.ended.contains(body.token) }) else {
                    return SessionCheckReply(valid: false)
                }
                let role = state.withLockedValue { $0.roles[claims.sub.value] } ?? claims.role
                return SessionCheckReply(valid: true, userId: claims.userId, role: role)
            }
        return FakeSessionCheck(server: try await LiveServer.start(router, label: "fake-session-check"), state: state)
    }

    /// Runs `body` with a fake that is always stopped afterwards.
    public static func with<T>(_ body: (FakeSessionCheck) async throws -> T) async throws -> T {
        let fake = try await start()
        do {
            let result = try await body(fake)
            await fake.stop()
            return result
        } catch {
            await fake.stop()
            throw error
        }
    }

    private init(server: LiveServer, state: NIOLockedValueBox<(ended: Set<String>, roles: [String: Role], checks: Int)>) {
        self.server = server
        self.state = state
    }

    /// As AccountService does on logout, a password change or a deletion.
    public func end(_ token: String) {
        state.withLockedValue { _ = $0.ended.insert(token) }
    }

    /// As AccountService does on a promotion or demotion.
    public func setRole(_ role: Role, userId: UUID) {
        state.withLockedValue { $0.roles[userId.uuidString.lowercased()] = role }
    }

    public func stop() async {
        await server.stop()
    }
}
