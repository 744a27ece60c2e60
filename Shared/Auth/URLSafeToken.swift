import Foundation

/// Tokens made of base64url's alphabet `[A-Za-z0-9_-]`: stream keys, request ids, CSRF tokens.
/// Safe in an RTMP URL, a header, a log line and a form field without escaping.
public enum URLSafeToken {
    /// True when `text` is 1…`maximumLength` bytes of `[A-Za-z0-9_-]`.
    public static func isWellFormed(_ text: some StringProtocol, maximumLength: Int) -> Bool {
        let bytes = text.utf8
        return !bytes.isEmpty && bytes.count <= maximumLength && bytes.allSatisfy(isAllowed)
    }

    /// `byteCount` random bytes from the system's CSPRNG, base64url-encoded without padding.
    public static func random(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return encode(Data(bytes))
    }

    /// base64url without padding (RFC 4648 §5), as JWTs and stream keys use it.
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }
}
