import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import AccountService

/// A browser's cookies for router tests: what `Set-Cookie` gave, sent back as `Cookie`.
final class CookieJar: @unchecked Sendable {
    private let cookies = NIOLockedValueBox([String: String]())

    func remember(_ response: TestResponse) {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let (name, value) = (String(pair[0]), String(pair[1]))
            cookies.withLockedValue { $0[name] = value.isEmpty ? nil : value }
        }
    }

    subscript(name: String) -> String? { cookies.withLockedValue { $0[name] } }

    var header: HTTPFields {
        let value = cookies.withLockedValue { $0.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return value.isEmpty ? [:] : [.cookie: value]
    }
}

/// A visitor clicking through the pages: GET to pick up the CSRF cookie, POST forms with it.
struct Visitor {
    let client: any TestClientProtocol
    let jar = CookieJar()

    @discardableResult
    func get(_ uri: String) async throws -> (status: HTTPResponse.Status, body: String, location: String?) {
        try await client.execute(uri: uri, method: .get, headers: jar.header) { response in
            jar.remember(response)
            return (response.status, String(buffer: response.body), response.headers[.location])
        }
    }

    @discardableResult
    func post(_ uri: String, _ fields: [String: String], csrf: Bool = true) async throws -> (status: HTTPResponse.Status, body: String, location: String?, retryAfter: String?) {
        var fields = fields
        if csrf { fields["csrf"] = jar["motherstream_csrf"] ?? "" }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        var headers = jar.header
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            jar.remember(response)
            return (response.status, String(buffer: response.body), response.headers[.location], response.headers[.retryAfter])
        }
    }

    func signUp(_ email: String, djName: String, password: String = "a long password") async throws {
        try await get("/signup")
        let result = try await post("/signup", ["email": email, "dj_name": djName, "timezone": "Europe/Berlin", "password": password, "password_again": password])
        #expect(result.status == .seeOther && result.location == "/dashboard?welcome=1", "\(result.body.prefix(500))")
    }
}

@Suite struct WebPagesTests {
    func app(_ directory: URL) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["DATA_DIR"] = directory.path
        environment["QUEUE_SERVICE_URL"] = "http://127.0.0.1:9"
        return try await buildApplication(try AccountServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    @Test func everyPublicPageRenders() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            for uri in ["/", "/signup", "/login", "/logout", "/forgot-password", "/static/app.css", "/static/app.js"] {
                let page = try await visitor.get(uri)
                #expect(page.status == .ok, "\(uri)")
            }
            let missing = try await visitor.get("/no-such-page")
            #expect(missing.status == .notFound && missing.body.contains("Page not found") && missing.body.contains("/static/app.css"), "a 404 in the site's style")
            let unusable = try await visitor.get("/reset-password?token=x")
            #expect(unusable.status == .gone && unusable.body.contains("This link no longer works"), "a link that cannot work says so before asking for a password")
            #expect(try await visitor.get("/signup").body.contains("<option value=\"Europe/Berlin\""))
            for uri in ["/dashboard", "/settings", "/admin/users", "/admin/queue", "/admin/status"] {
                let page = try await visitor.get(uri)
                #expect(page.status == .seeOther && page.location?.hasPrefix("/login?next=") == true, "\(uri) must ask for a login")
            }
        }
    }

    @Test func signupErrorsNameTheFieldAndKeepWhatWasTyped() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.get("/signup")
            let short = try await visitor.post("/signup", ["email": "dj@example.org", "dj_name": "Night Owl", "timezone": "Europe/Berlin", "password": "short", "password_again": "short"])
            #expect(short.status == .unprocessableContent)
            #expect(short.body.contains("id=\"password-error\">Use at least 8 characters."))
            #expect(short.body.contains("value=\"dj@example.org\"") && short.body.contains("value=\"Night Owl\""))
            let differ = try await visitor.post("/signup", ["email": "dj@example.org", "dj_name": "Night Owl", "timezone": "Europe/Berlin", "password": "long enough 1", "password_again": "long enough 2"])
            #expect(differ.body.contains("The two passwords differ."))
            try await visitor.signUp("taken@example.org", djName: "Taken")
            let other = Visitor(client: client)
            try await other.get("/signup")
            let duplicate = try await other.post("/signup", ["email": "TAKEN@example.org", "dj_name": "Someone", "timezone": "UTC", "password": "long enough", "password_again": "long enough"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.contains("An account with this email already exists"))
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.get("/signup")
            let forged = try await visitor.post("/signup", ["email": "x@example.org", "dj_name": "X", "timezone": "UTC", "password": "long enough", "password_again": "long enough"], csrf: false)
            #expect(forged.status == .forbidden)
            var wrong = ["email": "x@example.org", "password": "long enough", "csrf": "not-the-token"]
            wrong["next"] = "/dashboard"
            #expect(try await visitor.post("/login", wrong, csrf: false).status == .forbidden)
        }
    }

    @Test func formsWithFieldsLeftOutGetThePagesOwnMessages() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.get("/signup")
            let signup = try await visitor.post("/signup", [:])
            #expect(signup.status == .unprocessableContent && signup.body.contains("Enter an email address like dj@example.com."))
            let login = try await visitor.post("/login", [:])
            #expect(login.status == .unauthorized && login.body.contains("Incorrect email or password."))
            let reset = try await visitor.post("/reset-password", [:])
            #expect(reset.status == .unprocessableContent && reset.body.contains("Use at least 8 characters."))
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            let password = try await visitor.post("/settings/password", [:])
            #expect(password.status == .unprocessableContent && password.body.contains("That is not your current password."))
            let profile = try await visitor.post("/settings/profile", [:])
            #expect(profile.status == .unprocessableContent && profile.body.contains("Enter an email address like dj@example.com."))
            let delete = try await visitor.post("/settings/delete", [:])
            #expect(delete.status == .unprocessableContent && delete.body.contains("Type your password to confirm."))
        }
    }

    @Test func aFormThatCannotBeReadIsABadRequest() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.get("/login")
            var headers = visitor.jar.header
            headers[.contentType] = "application/x-www-form-urlencoded"
            let body = ByteBuffer(string: "csrf=\(visitor.jar["motherstream_csrf"] ?? "")&email=%zz&password=x")
            try await client.execute(uri: "/login", method: .post, headers: headers, body: body) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func theAssetsAreServedAsTheResourceFilesHoldThem() async throws {
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Services/AccountService/Pages/Resources").standardized
        try await app(try temporaryDirectory("web")).test(.router) { client in
            for (file, type) in [("app.css", "text/css; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8")] {
                let expected = try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8)
                try await client.execute(uri: "/static/\(file)", method: .get) { response in
                    #expect(response.headers[.contentType] == type && response.headers[.cacheControl] == "public, max-age=300")
                    #expect(String(buffer: response.body) == expected)
                }
            }
            let home = try await Visitor(client: client).get("/")
            #expect(home.body.hasPrefix("<!doctype html>\n<html lang=\"en\">\n<head>\n") && home.body.hasSuffix("</body>\n</html>"), "the layout renders as written")
        }
    }

    @Test func theDashboardShowsTheKeyAndRotatesIt() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            #expect(visitor.jar["motherstream_session"] != nil)
            let dashboard = try await visitor.get("/dashboard")
            let key = try #require(dashboard.body.firstMatch(of: /id="key" class="mono" type="password" readonly value="([A-Za-z0-9_-]{32})"/)?.1)
            #expect(dashboard.body.contains("rtmp://127.0.0.1:1935/live"))
            #expect(dashboard.body.contains("data-confirm=\"Rotate your key? The old key stops working"))
            let rotated = try await visitor.post("/dashboard/rotate-key", [:])
            #expect(rotated.location == "/dashboard?done=rotated")
            let after = try await visitor.get("/dashboard?done=rotated")
            #expect(!after.body.contains(String(key)))
            #expect(after.body.contains("The old one no longer works"))
        }
    }

    @Test func loginIsRateLimited() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            try await visitor.get("/login")
            var last: (status: HTTPResponse.Status, body: String, location: String?, retryAfter: String?)?
            for _ in 0..<9 {
                last = try await visitor.post("/login", ["email": "dj@example.org", "password": "wrong password", "next": "/dashboard"])
            }
            #expect(last?.status == .tooManyRequests)
            #expect(Int(last?.retryAfter ?? "") ?? 0 > 0)
            #expect(last?.body.contains("Too many attempts") == true)
        }
    }

    @Test func aWrongLoginSaysSoAndKeepsTheEmail() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            try await visitor.post("/logout", [:])
            let wrong = try await visitor.post("/login", ["email": "dj@example.org", "password": "wrong password", "next": "/dashboard"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.body.contains("Incorrect email or password.") && wrong.body.contains("value=\"dj@example.org\""))
            let right = try await visitor.post("/login", ["email": "dj@example.org", "password": "a long password", "next": "//evil.example"])
            #expect(right.location == "/dashboard", "never an open redirect")
        }
    }

    @Test func aPasswordResetByMailWorksOnceAndEndsEverySession() async throws {
        let directory = try temporaryDirectory("web")
        try await app(directory).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            let oldSession = try #require(visitor.jar["motherstream_session"])

            let stranger = Visitor(client: client)
            try await stranger.get("/forgot-password")
            let unknown = try await stranger.post("/forgot-password", ["email": "nobody@example.org"])
            let known = try await stranger.post("/forgot-password", ["email": "DJ@example.org"])
            #expect(unknown.body == known.body, "the answer must not tell whether an account exists")

            let outbox = directory.appendingPathComponent("outbox")
            let mails = try FileManager.default.contentsOfDirectory(atPath: outbox.path)
            #expect(mails.count == 1)
            let mail = try String(contentsOf: outbox.appendingPathComponent(mails[0]), encoding: .utf8)
            let token = try #require(mail.firstMatch(of: /reset-password\?token=([A-Za-z0-9_-]+)/)?.1)
            #expect(mail.contains("To: dj@example.org"))

            let form = try await stranger.get("/reset-password?token=\(token)")
            #expect(form.status == .ok && form.body.contains("name=\"password_again\""))
            let reset = try await stranger.post("/reset-password", ["token": String(token), "password": "a brand new password", "password_again": "a brand new password"])
            #expect(reset.status == .ok && reset.body.contains("Password changed"))
            let used = try await stranger.get("/reset-password?token=\(token)")
            #expect(used.status == .gone && used.body.contains("already used"), "the used link says so before asking for a new password twice")
            let again = try await stranger.post("/reset-password", ["token": String(token), "password": "another password 1", "password_again": "another password 1"])
            #expect(again.body.contains("This reset link is invalid, used or expired."))

            // The session from before the reset no longer works, the new password does.
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: [.authorization: "Bearer \(oldSession)"]) { #expect($0.status == .unauthorized) }
            try await stranger.get("/login")
            #expect(try await stranger.post("/login", ["email": "dj@example.org", "password": "a brand new password", "next": "/dashboard"]).status == .seeOther)
        }
    }

    @Test func settingsCheckTheCurrentPasswordAndSaveTheProfile() async throws {
        try await app(try temporaryDirectory("web")).test(.router) { client in
            let visitor = Visitor(client: client)
            try await visitor.signUp("dj@example.org", djName: "Night Owl")
            let wrong = try await visitor.post("/settings/password", ["current_password": "not it", "new_password": "new password 1", "new_password_again": "new password 1"])
            #expect(wrong.status == .unprocessableContent && wrong.body.contains("That is not your current password."))
            let saved = try await visitor.post("/settings/profile", ["email": "dj@example.org", "dj_name": "Night Owl II", "timezone": "America/New_York"])
            #expect(saved.location == "/settings?done=profile")
            let page = try await visitor.get("/settings?done=profile")
            #expect(page.body.contains("value=\"Night Owl II\"") && page.body.contains("<option value=\"America/New_York\" selected>"))
            let changed = try await visitor.post("/settings/password", ["current_password": "a long password", "new_password": "new password 1", "new_password_again": "new password 1"])
            #expect(changed.location == "/settings?done=password")
            #expect(try await visitor.get("/dashboard").status == .ok, "the browser that changed the password stays logged in")
        }
    }

    @Test func adminPagesAreForAdminsOnly() async throws {
        let directory = try temporaryDirectory("web")
        try await app(directory).test(.router) { client in
            let dj = Visitor(client: client)
            try await dj.signUp("dj@example.org", djName: "Night Owl")
            #expect(try await dj.get("/admin/users").status == .forbidden)
            #expect(try await dj.post("/admin/queue/skip", [:]).status == .forbidden)
        }
    }
}
