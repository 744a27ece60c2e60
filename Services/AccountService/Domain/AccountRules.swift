import Foundation

/// `POST /api/v1/users/signup`, as sent by a browser or script.
struct SignupForm: Codable, Sendable {
    var email: String
    var password: String
    var djName: String
    var timezone: String
}

/// A signup that passed every check, normalised.
struct ValidSignup: Sendable, Equatable {
    var email: String
    var password: String
    var djName: String
    var timezone: String
}

enum AccountRules {
    static let minimumPasswordLength = 8
    /// Argon2 hashes whatever it is given; an upper bound keeps a request from costing minutes.
    static let maximumPasswordBytes = 1024
    static let maximumDJNameLength = 40

    static func validate(_ form: SignupForm) throws -> ValidSignup {
        ValidSignup(
            email: try email(form.email),
            password: try password(form.password),
            djName: try djName(form.djName),
            timezone: try timezone(form.timezone)
        )
    }

    /// Every field's problem at once, by field name, for a form that shows them all together.
    static func problems(_ form: SignupForm) -> [String: String] {
        var problems: [String: String] = [:]
        let checks: [() throws -> Void] = [
            { _ = try email(form.email) }, { _ = try password(form.password) }, { _ = try djName(form.djName) }, { _ = try timezone(form.timezone) },
        ]
        for check in checks {
            do { try check() } catch let error as AccountError { problems[error.field ?? "form"] = error.message } catch {}
        }
        return problems
    }

    static func email(_ raw: String) throws -> String {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else {
            throw AccountError.invalidField(field: "email", message: "Enter an email address like dj@example.com.")
        }
        return email
    }

    static func password(_ password: String) throws -> String {
        guard password.count >= minimumPasswordLength else {
            throw AccountError.invalidField(field: "password", message: "Use at least \(minimumPasswordLength) characters.")
        }
        guard password.utf8.count <= maximumPasswordBytes else {
            throw AccountError.invalidField(field: "password", message: "Use at most \(maximumPasswordBytes) bytes.")
        }
        return password
    }

    static func djName(_ raw: String) throws -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else {
            throw AccountError.invalidField(field: "dj_name", message: "Enter the name you play under.")
        }
        guard name.count <= maximumDJNameLength else {
            throw AccountError.invalidField(field: "dj_name", message: "Use at most \(maximumDJNameLength) characters.")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "<" || $0 == ">" }) else {
            throw AccountError.invalidField(field: "dj_name", message: "Leave out control characters and < >.")
        }
        return name
    }

    static func timezone(_ raw: String) throws -> String {
        let identifier = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !identifier.isEmpty else {
            throw AccountError.invalidField(field: "timezone", message: "Pick your time zone.")
        }
        guard identifier.count <= 64, TimeZone(identifier: identifier) != nil else {
            throw AccountError.invalidField(field: "timezone", message: "\"\(identifier.prefix(64))\" is not a time zone; use a name like Europe/Berlin.")
        }
        return identifier
    }
}
