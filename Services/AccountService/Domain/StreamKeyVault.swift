import Crypto
import Foundation
import Shared

/// Stream keys are credentials: 192 random bits from the system CSPRNG, written in the RTMP-safe
/// alphabet `[A-Za-z0-9_-]`. At rest there is only an HMAC-SHA256 digest (to find the owner in
/// one indexed lookup) and an AES-GCM sealed copy bound to the owner's id (to show it to them
/// again). Both keys are derived from `JWT_SECRET`, each for its own purpose; the digest's
/// (`StreamKeyDigest`) is shared with HookGateway, which looks keys up by the same name.
struct StreamKeyVault: Sendable {
    let digest: StreamKeyDigest
    private let sealingKey: SymmetricKey
    static let randomBytes = 24

    init(secret: Secret) {
        digest = StreamKeyDigest(secret: secret)
        let material = SymmetricKey(data: Data(secret.value.utf8))
        sealingKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: material, salt: Data("motherstream".utf8), info: Data("stream-key/seal/v1".utf8), outputByteCount: 32)
    }

    func generate() -> String {
        URLSafeToken.random(byteCount: Self.randomBytes)
    }

    /// Keys we could ever have issued: the RTMP-safe alphabet, bounded length.
    static func isWellFormed(_ key: String) -> Bool {
        StreamKeyDigest.isWellFormed(key)
    }

    func store(_ key: String, for userId: UUID) throws -> StoredStreamKey {
        let box = try AES.GCM.seal(Data(key.utf8), using: sealingKey, authenticating: Self.binding(userId))
        guard let combined = box.combined else { throw StreamKeyVaultError.sealingFailed }
        return StoredStreamKey(digest: digest(key), sealed: combined.base64EncodedString())
    }

    func reveal(_ stored: StoredStreamKey, for userId: UUID) throws -> String {
        guard let data = Data(base64Encoded: stored.sealed) else { throw StreamKeyVaultError.unreadable }
        let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: sealingKey, authenticating: Self.binding(userId))
        return String(decoding: plain, as: UTF8.self)
    }

    private static func binding(_ userId: UUID) -> Data {
        Data(userId.uuidString.lowercased().utf8)
    }
}

enum StreamKeyVaultError: Error, CustomStringConvertible {
    case sealingFailed
    case unreadable

    var description: String {
        switch self {
        case .sealingFailed: "AES-GCM sealing of a stream key failed"
        case .unreadable: "a stored stream key cannot be opened (was JWT_SECRET changed?)"
        }
    }
}
