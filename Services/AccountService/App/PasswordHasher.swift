import CArgon2
import Foundation

/// Argon2id through Debian's libargon2 (the reference implementation), in the PHC string
/// format. Hashing runs on its own bounded pool (`HashingPool`), never on a request thread.
struct PasswordHasher: Sendable {
    var cost = Argon2Cost()
    var pool = HashingPool(threads: 1, waiting: 16)
    static let saltLength = 16
    static let hashLength = 32

    /// Throws `AccountError.busy` when the pool is full.
    func hash(_ password: String) async throws -> String {
        try await pool.compute { try hashNow(password) }
    }

    /// Throws `AccountError.busy` when the pool is full; a mismatch is false.
    func verify(_ password: String, against encoded: String) async throws -> Bool {
        try await pool.compute { Self.verifyNow(password, against: encoded) }
    }

    func hashNow(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let length = argon2_encodedlen(cost.iterations, cost.memoryKiB, cost.parallelism, UInt32(Self.saltLength), UInt32(Self.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let result = argon2id_hash_encoded(
            cost.iterations, cost.memoryKiB, cost.parallelism, bytes, bytes.count, salt, salt.count, Self.hashLength, &encoded, encoded.count
        )
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHashingError(message: String(cString: argon2_error_message(result)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True only for the right password; a malformed hash is a mismatch, never a crash.
    static func verifyNow(_ password: String, against encoded: String) -> Bool {
        let type: argon2_type
        if encoded.hasPrefix("$argon2id$") {
            type = Argon2_id
        } else if encoded.hasPrefix("$argon2i$") {
            type = Argon2_i
        } else if encoded.hasPrefix("$argon2d$") {
            type = Argon2_d
        } else {
            return false
        }
        let bytes = Array(password.utf8)
        return argon2_verify(encoded, bytes, bytes.count, type) == ARGON2_OK.rawValue
    }
}

struct PasswordHashingError: Error, CustomStringConvertible {
    var message: String
    var description: String { "argon2 hashing failed: \(message)" }
}
