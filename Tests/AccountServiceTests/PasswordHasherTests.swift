import Testing
@testable import AccountService

@Suite struct PasswordHasherTests {
    /// Made by argon2-cffi 23 `PasswordHasher().hash("original-dj-password")` — the original system's defaults.
    static let originalHash = "$argon2id$v=19$m=65536,t=3,p=4$8ruEnskL6PZMe5rasK4H5g$/PQK3It5Hqhke+emeNqYzwWtJnqlSh0ku1h0LA3mmKs"

    @Test func aHashFromTheOriginalSystemVerifies() async throws {
        let hasher = PasswordHasher()
        #expect(try await hasher.verify("original-dj-password", against: Self.originalHash))
        #expect(!(try await hasher.verify("original-dj-passwort", against: Self.originalHash)))
    }

    @Test func newHashesUseArgon2idWithTheOriginalsParameters() async throws {
        let hash = try await PasswordHasher().hash("a new password")
        #expect(hash.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
        #expect(PasswordHasher.verifyNow("a new password", against: hash))
        #expect(!PasswordHasher.verifyNow("a new passwore", against: hash))
    }

    @Test func theSamePasswordHashesDifferentlyEachTime() throws {
        let hasher = PasswordHasher(cost: Argon2Cost(iterations: 1, memoryKiB: 1024, parallelism: 1))
        #expect(try hasher.hashNow("same") != hasher.hashNow("same"))
    }

    @Test(arguments: ["", "plaintext", "$argon2id$v=19$m=65536,t=3,p=4$broken", "$2b$12$bcryptlookingvalue"])
    func malformedHashesNeverVerify(_ hash: String) {
        #expect(!PasswordHasher.verifyNow("anything", against: hash))
    }
}
