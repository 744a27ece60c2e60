import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// What a stranger can send: bodies past each route's limit, and absurd query values.
@Suite struct RequestBoundsTests {
    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, type: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, body: String, type: String?) {
        var headers = headers
        headers[.contentType] = type
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            (response.status, String(buffer: response.body), response.headers[.contentType])
        }
    }

    /// Before: 16 KiB–64 KiB was read and decoded (a signup with a 20 KiB password got 422), and
    /// past 64 KiB the 413 came with an empty body.
    @Test func aBodyPastItsRoutesLimitGets413InTheRoutesOwnShape() async throws {
        try await TestApp.build(try temporaryDirectory("bounds")).test(.router) { client in
            for size in [BodyLimit.api + 1, 100 * 1024] {
                let signup = #"{"email":"dj@example.org","password":"\#(String(repeating: "x", count: size))","dj_name":"DJ","timezone":"UTC"}"#
                let reply = try await Self.post(client, "/api/v1/users/signup", signup, type: "application/json")
                #expect(reply.status == .contentTooLarge)
                #expect(try JSONCoding.decode(APIError.Body.self, from: Data(reply.body.utf8)).error.code == "body_too_large", "\(size)")
            }
            let login = try await Self.post(client, "/api/v1/login/access-token", "username=a&password=" + String(repeating: "x", count: BodyLimit.api), type: "application/x-www-form-urlencoded")
            #expect(login.status == .contentTooLarge && login.body.contains("body_too_large"))
            let verify = try await Self.post(
                client, "/internal/v1/stream-keys/verify", #"{"stream_key":"\#(String(repeating: "k", count: BodyLimit.internal))"}"#,
                type: "application/json", headers: AccountRoutesTests.internalAuth
            )
            #expect(verify.status == .contentTooLarge && verify.body.contains("body_too_large"))

            let browser = Visitor(client: client)
            try await browser.get("/login")
            let form = try await browser.post("/login", ["email": "dj@example.org", "password": String(repeating: "x", count: BodyLimit.forms), "next": "/dashboard"])
            #expect(form.status == .contentTooLarge && form.body.contains("<h1>Too much</h1>"), "a page, for a browser")

            let fits = #"{"email":"dj@example.org","password":"\#(String(repeating: "x", count: 2000))","dj_name":"DJ","timezone":"UTC"}"#
            #expect(try await Self.post(client, "/api/v1/users/signup", fits, type: "application/json").status == .unprocessableContent, "under the limit: read and answered")
        }
    }

    static let absurdNumbers = ["9223372036854775807", "368934881474191034", "-9223372036854775808", "0", "-1", "99999999999999999999999", "1e9", "NaN", "%00", ""]

    /// Before: `page=9223372036854775807` trapped on `(page - 1) * 25` and killed AccountService.
    @Test func noQueryValueCrashesAnyPage() async throws {
        let directory = try temporaryDirectory("bounds")
        try await TestApp.build(directory).test(.router) { client in
            let admin = Visitor(client: client)
            try await admin.signUp("admin@example.org", djName: "Host")
            try await TestApp.makeAdmin(directory, email: "admin@example.org")
            for value in Self.absurdNumbers {
                let page = try await admin.get("/admin/users?page=\(value)")
                #expect(page.status == .ok && page.body.contains("<h1>"), "page=\(value)")
                #expect(try await admin.get("/admin/users?q=\(value)&page=\(value)").status == .ok)
            }
            let long = String(repeating: "9", count: 10_000)
            for uri in ["/admin/users?page=\(long)", "/admin/queue?error=\(long)", "/dashboard?done=\(long)&welcome=\(long)", "/settings?done=\(long)",
                        "/login?next=\(long)", "/reset-password?token=\(long)", "/?page=\(long)"] {
                #expect(try await admin.get(uri).status.code < 500, "\(uri.prefix(40))")
            }
        }
    }

    @Test func theNightPagesNumbersAreCheckedBeforeTheyAreMultiplied() {
        for value in Self.absurdNumbers {
            #expect(throws: APIError.self) { try AdminPageRoutes.queueCall("extend", QueueActionForm(minutes: value)) }
            #expect(throws: APIError.self) { try AdminPageRoutes.queueCall("interval", QueueActionForm(minutes: value)) }
        }
        #expect(throws: Never.self) { try AdminPageRoutes.queueCall("move", QueueActionForm(userId: UUID().uuidString, position: "9223372036854775807")) }
    }
}
