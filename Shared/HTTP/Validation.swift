import Foundation

/// Checks for values that arrive from outside; each failure is a 4xx that names the field.
public enum Validation {
    /// SRS client ids are short alphanumeric strings (`341w361a`); anything else is refused
    /// before it reaches a log line or an SRS API path.
    public static func clientId(_ value: String, field: String = "client_id") throws {
        guard !value.isEmpty, value.utf8.count <= 64, value.utf8.allSatisfy(isAlphanumeric) else {
            throw APIError.badRequest("\(field) must be 1–64 letters or digits.", code: "invalid_client_id", field: field)
        }
    }

    public static func nonEmpty(_ value: String, field: String) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("\(field) must not be empty.", code: "missing_\(field)", field: field)
        }
    }

    public static func number<T: LosslessStringConvertible>(_ text: String?, field: String, default defaultValue: T) throws -> T {
        guard let text else { return defaultValue }
        guard let value = T(text) else {
            throw APIError.badRequest("\(field) must be a number (got \"\(text.prefix(32))\").", code: "invalid_\(field)", field: field)
        }
        return value
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`) from a query string; absent means false.
    public static func flag(_ text: String?, field: String) throws -> Bool {
        guard let text else { return false }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off", "": return false
        default: throw APIError.badRequest("\(field) must be true or false.", code: "invalid_\(field)", field: field)
        }
    }

    /// A TCP port from the environment, 5432 when unset.
    public static func port(_ text: String?, variable: String, default defaultValue: Int = 5432) throws -> Int {
        guard let text, !text.isEmpty else { return defaultValue }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw ConfigurationError("\(variable) must be a port number (got \"\(text)\").")
        }
        return port
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
