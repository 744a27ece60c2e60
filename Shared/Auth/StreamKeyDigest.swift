import Crypto
import Foundation

/// The one-way name of a stream key: HMAC-SHA256 under a key derived from `JWT_SECRET` for this
/// purpose alone. AccountService stores only this beside a sealed copy; HookGateway computes the
/// same name for a presented key and looks it up in its copy of the publisher directory, so the
/// key itself never leaves the request that carried it.
public struct StreamKeyDigest: Sendable {
    private let key: SymmetricKey
    /// Longer than any key Motherstream issues or the original issued; anything longer is not a key.
    public static let maximumKeyLength = 128

    public init(secret: Secret) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.value.utf8)), salt: Data("motherstream".utf8),
            info: Data("stream-key/digest/v1".utf8), outputByteCount: 32
        )
    }

    /// Keys that could ever have been issued: the RTMP-safe alphabet, bounded length.
    public static func isWellFormed(_ streamKey: some StringProtocol) -> Bool {
        URLSafeToken.isWellFormed(streamKey, maximumLength: maximumKeyLength)
    }

    public func callAsFunction(_ streamKey: String) -> String {
        Array(HMAC<SHA256>.authenticationCode(for: Data(streamKey.utf8), using: key)).hexString
    }
}
