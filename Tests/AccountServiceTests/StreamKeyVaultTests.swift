import Foundation
import Shared
import Testing
import TestSupport
@testable import AccountService

@Suite struct StreamKeyVaultTests {
    let vault = StreamKeyVault(secret: Secret(TestSecrets.jwt))

    @Test func keysAreLongRandomAndRTMPSafe() {
        let keys = (0..<1000).map { _ in vault.generate() }
        #expect(Set(keys).count == 1000)
        for key in keys {
            #expect(key.count == 32)  // 24 random bytes = 192 bits
            #expect(StreamKeyVault.isWellFormed(key))
            #expect(key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }

    @Test func theDigestIsStableAndDependsOnTheSecret() {
        let key = vault.generate()
        #expect(vault.digest(key) == vault.digest(key))
        #expect(vault.digest(key).count == 64)
        let other = StreamKeyVault(secret: Secret("a-different-secret-0123456789-0123456789"))
        #expect(other.digest(key) != vault.digest(key))
        // Known answer, so a change of derivation cannot pass unnoticed (it would lock every DJ
        // out, and HookGateway's copy of the directory finds keys by this name: KeyDirectoryTests
        // pins the same vector). HKDF-SHA256 then HMAC-SHA256, as Python's hmac module computes them.
        #expect(vault.digest("KEY123") == "620d270e9adff95221b779840e335b0db4148d324b8959d6682a803341df21a5")
    }

    @Test func onlyTheOwnerCanOpenTheSealedKey() throws {
        let owner = UUID()
        let key = vault.generate()
        let stored = try vault.store(key, for: owner)
        #expect(!stored.sealed.contains(key))
        #expect(!stored.digest.contains(key))
        #expect(try vault.reveal(stored, for: owner) == key)
        #expect(throws: (any Error).self) { try vault.reveal(stored, for: UUID()) }
    }

    @Test(arguments: ["", "has space", "semi;colon", "ünïcode", "slash/", String(repeating: "a", count: 129)])
    func anythingOutsideTheAlphabetIsNotAKey(_ candidate: String) {
        #expect(!StreamKeyVault.isWellFormed(candidate))
    }

    @Test func theOriginalSystemsShortKeysAreWellFormed() {
        #expect(StreamKeyVault.isWellFormed("AB12CD34EF"))
    }
}
