import Crypto
import Foundation
import Shared

/// The account use cases, over a store: sign up, log in, find the session's user, the
/// stream-key operations and the admins' changes. Routes decode and encode around these; every
/// write is a targeted store method, never a save of a whole row read earlier.
struct Accounts: Sendable {
    let store: any UserStore
    let hasher: PasswordHasher
    let vault: StreamKeyVault
    let tokens: SessionTokens
    let tokenLifetime: TimeInterval
    /// AccountService as browsers reach it (`PUBLIC_URL`): profile pictures are linked under it,
    /// so the overlays and Discord, which are elsewhere, can show them.
    var publicURL = ""
    var resizer: any PictureResizer = FFmpegPictureResizer()

    /// A decoy hash verified when an email is unknown, so a login takes as long either way.
    private static let decoyHash = "$argon2id$v=19$m=65536,t=3,p=4$8ruEnskL6PZMe5rasK4H5g$/PQK3It5Hqhke+emeNqYzwWtJnqlSh0ku1h0LA3mmKs"

    /// A picture that cannot be taken fails the signup before the account exists, so the form can
    /// simply be sent again.
    func signUp(_ form: SignupForm, picture upload: Data? = nil, role: Role = .dj, now: Date = Date()) async throws -> (user: UserRecord, streamKey: String) {
        let signup = try AccountRules.validate(form)
        var picture: StoredPicture?
        if let upload { picture = try await resizedPicture(upload) }
        let id = UUID()
        let key = vault.generate()
        let user = UserRecord(
            id: id, email: signup.email, djName: signup.djName, timezone: signup.timezone, role: role, isActive: true,
            createdAt: now, passwordHash: try await hasher.hash(signup.password), streamKey: try vault.store(key, for: id)
        )
        try await store.create(user)
        guard let picture else { return (user, key) }
        try await store.setPicture(userId: id, picture: picture)
        var withPicture = user
        withPicture.pictureId = picture.id
        return (withPicture, key)
    }

    func logIn(email: String, password: String, now: Date = Date()) async throws -> String {
        guard let user = try await store.user(email: email) else {
            _ = try await hasher.verify(password, against: Self.decoyHash)
            throw AccountError.invalidCredentials
        }
        guard try await hasher.verify(password, against: user.passwordHash) else { throw AccountError.invalidCredentials }
        guard user.isActive else { throw AccountError.accountDeactivated }
        return try await session(for: user, now: now)
    }

    /// A session token for this account, bound to its current session epoch.
    func session(for user: UserRecord, now: Date = Date()) async throws -> String {
        try await session(userId: user.id, role: user.role, epoch: user.sessionEpoch, now: now)
    }

    private func session(userId: UUID, role: Role, epoch: Int, now: Date = Date()) async throws -> String {
        try await tokens.sign(SessionClaims(
            userId: userId, role: role, issuedAt: now, expiresAt: now.addingTimeInterval(tokenLifetime), epoch: epoch
        ))
    }

    /// The active user a session token belongs to, while its session lasts.
    func user(forToken token: String) async throws -> UserRecord {
        guard let claims = await tokens.verify(token), claims.userId != nil else { throw AccountError.notSignedIn }
        guard let user = try await sessionUser(token, claims) else { throw AccountError.userNotFound }
        return user
    }

    /// What `POST /internal/v1/sessions/check` answers: the other services' admin routes ask, so a
    /// session AccountService ended stops working there too. The role is the account's now.
    func checkSession(_ token: String) async throws -> SessionCheckReply {
        guard let claims = await tokens.verify(token), let user = try await sessionUser(token, claims) else { return SessionCheckReply(valid: false) }
        return SessionCheckReply(valid: true, userId: user.id, role: user.role)
    }

    /// A session ends when its token expires, when the account is deleted or deactivated, when the
    /// password is changed or reset (each moves the account's session epoch on), and at logout.
    private func sessionUser(_ token: String, _ claims: SessionClaims) async throws -> UserRecord? {
        guard let userId = claims.userId, let user = try await store.user(id: userId), user.isActive,
              (claims.ver ?? 0) == user.sessionEpoch, try await !store.isSessionEnded(tokenDigest: Self.tokenDigest(token))
        else { return nil }
        return user
    }

    /// Ends this one session (the account's other sessions go on): its token is remembered as
    /// ended, in the store every replica reads, until it would have expired anyway.
    func logOut(token: String, now: Date = Date()) async throws {
        guard let claims = await tokens.verify(token) else { return }
        try await store.endSession(tokenDigest: Self.tokenDigest(token), expiresAt: claims.exp.value, now: now)
    }

    func updateProfile(of user: UserRecord, email: String, djName: String, timezone: String) async throws {
        try await store.setProfile(
            userId: user.id, email: try AccountRules.email(email), djName: try AccountRules.djName(djName), timezone: try AccountRules.timezone(timezone)
        )
    }

    /// Checks the current password (the original reported success on a wrong one), then ends
    /// every other session; returns a fresh token for this one.
    func changePassword(of user: UserRecord, current: String, new: String) async throws -> String {
        guard try await hasher.verify(current, against: user.passwordHash) else {
            throw AccountError.invalidField(field: "current_password", message: "That is not your current password.")
        }
        let hash = try await hasher.hash(try AccountRules.password(new))
        guard let epoch = try await store.setPassword(userId: user.id, hash: hash) else { throw AccountError.userNotFound }
        return try await session(userId: user.id, role: user.role, epoch: epoch)
    }

    func deleteAccount(_ user: UserRecord, password: String) async throws {
        guard try await hasher.verify(password, against: user.passwordHash) else {
            throw AccountError.invalidField(field: "password", message: "Type your password to confirm.")
        }
        try await store.delete(user.id)
    }

    /// Always the same answer, whether or not the address has an account. The token is stored
    /// only as a hash, is valid for an hour, and works once.
    func requestPasswordReset(email: String, publicURL: String, mailer: any Mailer, now: Date = Date()) async throws {
        guard let user = try await store.user(email: email), user.isActive else { return }
        let token = vault.generate()
        try await store.addPasswordReset(tokenHash: Self.tokenDigest(token), userId: user.id, expiresAt: now.addingTimeInterval(3600))
        try await mailer.send(
            to: user.email, subject: "Motherstream - Password Reset Request",
            body: """
                Hi \(user.djName),

                Someone (hopefully you) asked to reset your Motherstream password. This link works once, for one hour:

                \(publicURL)/reset-password?token=\(token)

                If it was not you, ignore this mail; your password stays as it is.
                """
        )
    }

    /// Sets a new password with a reset token and ends every session of the account.
    /// Returns the account's id.
    func resetPassword(token: String, newPassword: String, now: Date = Date()) async throws -> UUID {
        let password = try AccountRules.password(newPassword)
        let invalid = AccountError.invalidField(field: "token", message: "This reset link is invalid, used or expired. Ask for a new one.")
        guard let userId = try await store.consumePasswordReset(tokenHash: Self.tokenDigest(token), now: now) else { throw invalid }
        guard try await store.setPassword(userId: userId, hash: try await hasher.hash(password)) != nil else { throw invalid }
        return userId
    }

    /// Whether a reset link can still set a password: the page says so before asking for one.
    func resetLinkIsUsable(token: String, now: Date = Date()) async throws -> Bool {
        guard !token.isEmpty, token.count <= 200 else { return false }
        return try await store.passwordResetIsUsable(tokenHash: Self.tokenDigest(token), now: now)
    }

    /// How reset tokens and ended sessions are stored: never the token itself.
    static func tokenDigest(_ token: String) -> String {
        Array(SHA256.hash(data: Data(token.utf8))).hexString
    }

    func revealStreamKey(of user: UserRecord) throws -> String {
        try vault.reveal(user.streamKey, for: user.id)
    }

    /// Issues a new key; the old one stops working at once.
    func rotateStreamKey(userId: UUID) async throws -> String {
        let key = vault.generate()
        try await store.setStreamKey(userId: userId, key: try vault.store(key, for: userId))
        return key
    }

    /// The dashboard's rotation: also drops the "short key from the old system" advice.
    func rotateStreamKeyFromDashboard(userId: UUID) async throws {
        _ = try await rotateStreamKey(userId: userId)
        try await store.clearLegacyKey(userId: userId)
    }

    // MARK: - Profile pictures

    /// Where the account's picture is served, nil without one.
    func pictureURL(of user: UserRecord) -> String? {
        user.pictureURL(publicURL: publicURL)
    }

    /// Sets or replaces the account's picture; returns where it is served. The old one's address
    /// stops working at once.
    func setPicture(of userId: UUID, upload: Data) async throws -> String {
        let picture = try await resizedPicture(upload)
        try await store.setPicture(userId: userId, picture: picture)
        return publicURL + ProfilePicture.path(id: picture.id)
    }

    func removePicture(of userId: UUID) async throws {
        try await store.removePicture(userId: userId)
    }

    /// A served picture's JPEG.
    func picture(id: Substring) async throws -> Data {
        guard ProfilePicture.isWellFormedId(id), let jpeg = try await store.picture(id: String(id)) else { throw AccountError.noSuchPicture }
        return jpeg
    }

    /// What is stored for an upload: ffmpeg's square JPEG under a new id. Checked before any
    /// process runs: the size, and that the bytes begin like an image of a taken format.
    private func resizedPicture(_ upload: Data) async throws -> StoredPicture {
        guard upload.count <= ProfilePicture.maximumUploadBytes else { throw AccountError.pictureTooLarge }
        guard let format = ProfilePicture.Format.sniff(upload) else { throw AccountError.unreadablePicture }
        do {
            return StoredPicture(id: URLSafeToken.random(byteCount: 16), jpeg: try await resizer.squareJPEG(from: upload, format: format))
        } catch PictureResizeError.unavailable, PictureResizeError.busy {
            throw AccountError.picturesUnavailable
        } catch is PictureResizeError {
            throw AccountError.unreadablePicture
        }
    }

    /// A page of accounts whose email or DJ name contains `search`, oldest first (page 1 is the
    /// first; any page number is taken, past the last it is empty).
    func users(matching search: String, page: Int, pageSize: Int) async throws -> (users: [UserRecord], total: Int) {
        let page = min(max(page, 1), Self.lastPage)
        return try await store.users(matching: search, offset: (page - 1) * pageSize, limit: pageSize)
    }

    /// Far past any real page, and small enough that no offset computed from it overflows.
    static let lastPage = 1_000_000

    // The admins' changes to someone else's account.

    /// Deactivating ends every session of the account, for good: a later reactivation revives
    /// none of them (the route also takes the DJ out of the queue).
    func setActive(userId: UUID, active: Bool) async throws {
        try await requireAccount(userId)
        try await store.setActive(userId: userId, active: active)
        if !active { try await store.endSessions(userId: userId) }
    }

    func setRole(userId: UUID, role: Role) async throws {
        try await requireAccount(userId)
        try await store.setRole(userId: userId, role: role)
    }

    func resetStreamKey(userId: UUID) async throws {
        try await requireAccount(userId)
        _ = try await rotateStreamKey(userId: userId)
    }

    private func requireAccount(_ userId: UUID) async throws {
        guard try await store.user(id: userId) != nil else { throw AccountError.noSuchAccount }
    }

    /// The owner of a valid key of an active account: one HMAC and one indexed lookup.
    func publisher(forStreamKey key: String) async throws -> VerifiedPublisher {
        guard StreamKeyVault.isWellFormed(key), let user = try await store.user(streamKeyDigest: vault.digest(key)), user.isActive else {
            throw AccountError.unknownStreamKey
        }
        return user.publisher(publicURL: publicURL)
    }
}
