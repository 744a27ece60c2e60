import Crypto
import Foundation
import Shared

/// Platform stream keys at rest: AES-GCM sealed, each bound to its target's id so a sealed key
/// copied onto another target does not open. The sealing key is derived from `JWT_SECRET` with
/// HKDF for this purpose alone (as AccountService's `StreamKeyVault` derives its own), so
/// HookGateway needs no further secret — and, as for DJs' keys, `JWT_SECRET` must not change
/// once targets are saved.
struct OutputKeySeal: Sendable {
    private let key: SymmetricKey

    init(secret: Secret) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.value.utf8)), salt: Data("motherstream".utf8),
            info: Data("output-key/seal/v1".utf8), outputByteCount: 32
        )
    }

    func seal(_ streamKey: String, for target: UUID) throws -> String {
        guard let combined = try AES.GCM.seal(Data(streamKey.utf8), using: key, authenticating: Self.binding(target)).combined else {
            throw OutputKeySealError.sealingFailed
        }
        return combined.base64EncodedString()
    }

    func open(_ sealed: String, for target: UUID) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw OutputKeySealError.unreadable(target) }
        do {
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key, authenticating: Self.binding(target))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw OutputKeySealError.unreadable(target)
        }
    }

    private static func binding(_ target: UUID) -> Data {
        Data("output-target/\(target.uuidString.lowercased())".utf8)
    }
}

enum OutputKeySealError: Error, CustomStringConvertible {
    case sealingFailed
    case unreadable(UUID)

    var description: String {
        switch self {
        case .sealingFailed: "AES-GCM sealing of a platform stream key failed"
        case .unreadable(let id): "the stream key of output target \(id) cannot be opened (was JWT_SECRET changed? re-enter the key)"
        }
    }
}
