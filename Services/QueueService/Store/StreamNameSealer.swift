import Crypto
import Foundation
import Shared

/// Stream names are stream keys, and no file at rest may show one: the journal keeps them
/// AES-GCM sealed under a key derived from `JWT_SECRET`, bound to the session's client id.
struct StreamNameSealer: Sendable {
    private let key: SymmetricKey

    init(secret: Secret) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.value.utf8)),
            salt: Data("motherstream".utf8),
            info: Data("queue-journal/stream-name/v1".utf8),
            outputByteCount: 32
        )
    }

    func seal(_ stream: String, clientId: String) throws -> String {
        let box = try AES.GCM.seal(Data(stream.utf8), using: key, authenticating: Data(clientId.utf8))
        guard let combined = box.combined else { throw JournalError.sealing("AES-GCM produced no combined form") }
        return combined.base64EncodedString()
    }

    func open(_ sealed: String, clientId: String) throws -> String {
        guard let data = Data(base64Encoded: sealed) else { throw JournalError.sealing("sealed stream name is not base64") }
        let box = try AES.GCM.SealedBox(combined: data)
        let plain = try AES.GCM.open(box, using: key, authenticating: Data(clientId.utf8))
        return String(decoding: plain, as: UTF8.self)
    }
}

extension CodingUserInfoKey {
    static let streamNameSealer = CodingUserInfoKey(rawValue: "motherstream.streamNameSealer")!
}

extension PublisherSession: Codable {
    enum CodingKeys: String, CodingKey {
        case clientId, userId, djName, app, sealedStream, openedAt
    }

    init(from decoder: any Decoder) throws {
        guard let sealer = decoder.userInfo[.streamNameSealer] as? StreamNameSealer else {
            throw JournalError.sealing("no stream-name sealer configured for decoding")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clientId = try container.decode(String.self, forKey: .clientId)
        userId = try container.decode(UUID.self, forKey: .userId)
        djName = try container.decode(String.self, forKey: .djName)
        app = try container.decode(String.self, forKey: .app)
        openedAt = try container.decode(Date.self, forKey: .openedAt)
        do {
            stream = try sealer.open(container.decode(String.self, forKey: .sealedStream), clientId: clientId)
        } catch {
            throw JournalError.sealing("cannot open the sealed stream name of session \(clientId) — was JWT_SECRET changed? (\(error))")
        }
    }

    func encode(to encoder: any Encoder) throws {
        guard let sealer = encoder.userInfo[.streamNameSealer] as? StreamNameSealer else {
            throw JournalError.sealing("no stream-name sealer configured for encoding")
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(clientId, forKey: .clientId)
        try container.encode(userId, forKey: .userId)
        try container.encode(djName, forKey: .djName)
        try container.encode(app, forKey: .app)
        try container.encode(openedAt, forKey: .openedAt)
        try container.encode(sealer.seal(stream, clientId: clientId), forKey: .sealedStream)
    }
}
