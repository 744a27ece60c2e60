import Foundation
import Shared
import Testing
import TestSupport
@testable import AccountService

/// The use cases over both stores: every write sets only what it changes.
@Suite struct AccountsTests {
    func accounts(_ store: any UserStore) async -> Accounts {
        Accounts(
            store: store, hasher: PasswordHasher(cost: Argon2Cost(iterations: 1, memoryKiB: 1024, parallelism: 1)),
            vault: StreamKeyVault(secret: Secret(TestSecrets.jwt)), tokens: await SessionTokens(secret: Secret(TestSecrets.jwt)), tokenLifetime: 3600
        )
    }

    /// The lost update of issue #9: a page read the account, the DJ changed their password (ending
    /// their other sessions), then the page wrote its stale copy back. Every change made from the
    /// stale copy now leaves the new password and the ended sessions as they are.
    @Test(arguments: StoreBackend.allCases) func changesFromAStaleCopyKeepAPasswordChange(_ backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let accounts = await accounts(store)
            let (user, _) = try await accounts.signUp(SignupForm(email: "dj@example.org", password: "old password", djName: "Night Owl", timezone: "UTC"))
            let otherBrowser = try await accounts.session(for: user)
            let stale = try #require(try await store.user(id: user.id))

            let thisBrowser = try await accounts.changePassword(of: stale, current: "old password", new: "new password")
            try await accounts.setRole(userId: stale.id, role: .admin)
            try await accounts.setActive(userId: stale.id, active: true)
            try await accounts.resetStreamKey(userId: stale.id)
            try await accounts.rotateStreamKeyFromDashboard(userId: stale.id)
            try await accounts.updateProfile(of: stale, email: "dj@example.org", djName: "Night Owl II", timezone: "Europe/Berlin")

            await #expect(throws: AccountError.userNotFound, "the session the password change ended stays ended") {
                try await accounts.user(forToken: otherBrowser)
            }
            let now = try await accounts.user(forToken: thisBrowser)
            #expect(now.role == .admin && now.djName == "Night Owl II" && now.sessionEpoch == stale.sessionEpoch + 1)
            await #expect(throws: AccountError.invalidCredentials) { try await accounts.logIn(email: "dj@example.org", password: "old password") }
            _ = try await accounts.logIn(email: "dj@example.org", password: "new password")
        }
    }

    @Test func anAdminsChangeToAnAccountThatIsGoneSaysSo() async throws {
        try await StoreBackend.sqlite.withStore { store in
            let accounts = await accounts(store)
            await #expect(throws: AccountError.noSuchAccount) { try await accounts.setRole(userId: UUID(), role: .admin) }
            await #expect(throws: AccountError.noSuchAccount) { try await accounts.setActive(userId: UUID(), active: false) }
            await #expect(throws: AccountError.noSuchAccount) { try await accounts.resetStreamKey(userId: UUID()) }
        }
    }

    @Test func theDashboardsRotationDropsTheOldKeyAdvice() async throws {
        try await StoreBackend.sqlite.withStore { store in
            let accounts = await accounts(store)
            let (user, key) = try await accounts.signUp(SignupForm(email: "dj@example.org", password: "a password", djName: "Night Owl", timezone: "UTC"))
            try await store.setStreamKey(userId: user.id, key: try accounts.vault.store("AB12CD34EF", for: user.id))
            try await accounts.rotateStreamKeyFromDashboard(userId: user.id)
            let rotated = try #require(try await store.user(id: user.id))
            #expect(!rotated.legacyKey)
            await #expect(throws: AccountError.unknownStreamKey) { try await accounts.publisher(forStreamKey: key) }
            await #expect(throws: AccountError.unknownStreamKey) { try await accounts.publisher(forStreamKey: "AB12CD34EF") }
            #expect(try await accounts.publisher(forStreamKey: try accounts.revealStreamKey(of: rotated)).userId == user.id)
        }
    }
}
