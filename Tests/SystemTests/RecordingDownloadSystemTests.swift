import Foundation
import Testing
import TestSupport

/// A DJ downloads their own set through the web app, by range too, with the real AccountService
/// proxying the real HookGateway's recordings; another DJ, or nobody signed in, gets nothing of it.
@Suite(.serialized) struct RecordingDownloadSystemTests {
    @Test func aDJDownloadsTheirOwnSetByRangeAndNobodyElseCan() async throws {
        let recordDir = try temporaryDirectory("download-recordings")
        let system = try await RunningSystem.start(extra: ["RECORD_DIR": recordDir.path])
        try await system.run { system in
            _ = try await system.signUp("Ada Lovelace")
            _ = try await system.signUp("Bo")
            let ada = try await logIn(system, "ada.lovelace@example.org")
            let bo = try await logIn(system, "bo@example.org")
            let content = Data(String(repeating: "motherstream-set-", count: 300).utf8)
            let set = try SeededRecording.make(in: recordDir, djName: "Ada Lovelace", userId: ada.id, endedDaysAgo: 1, bytes: content)
            let url = "\(system.accounts.baseURL)/recordings/\(set.id)"
            let http = TestHTTP()

            let dashboard = try await http.get("\(system.accounts.baseURL)/dashboard", headers: ada.cookie)
            #expect(dashboard.status == 200 && dashboard.body.contains("/recordings/\(set.id)"), "Ada's dashboard lists her set")
            let whole = try await http.get(url, headers: ada.cookie)
            #expect(whole.status == 200)
            #expect(whole.body == String(decoding: content, as: UTF8.self))
            #expect(whole.headers.first(name: "Content-Disposition")?.contains(set.fileName) == true)

            var ranged = ada.cookie
            ranged["Range"] = "bytes=100-1123"
            let part = try await http.get(url, headers: ranged)
            #expect(part.status == 206)
            #expect(part.body == String(decoding: content.subdata(in: 100..<1124), as: UTF8.self))
            #expect(part.headers.first(name: "Content-Range") == "bytes 100-1123/\(content.count)")

            let others = try await http.get(url, headers: bo.cookie)
            #expect(others.status == 404 || others.status == 403, "\(others.status)")
            #expect(!others.body.contains("motherstream-set-"))
            let boDashboard = try await http.get("\(system.accounts.baseURL)/dashboard", headers: bo.cookie)
            #expect(!boDashboard.body.contains(set.id))

            let anonymous = try await http.get(url)
            #expect(anonymous.status != 200 && anonymous.status != 206, "\(anonymous.status)")
            #expect(!anonymous.body.contains("motherstream-set-"))
            // The gateway's own route is behind the internal token.
            #expect(try await http.get("\(system.gateway.baseURL)/internal/v1/recordings/\(set.id)").status == 401)
        }
    }

    struct SignedIn {
        var id: UUID
        var cookie: [String: String]
    }

    private func logIn(_ system: RunningSystem, _ email: String) async throws -> SignedIn {
        let login = try await TestHTTP().postForm(
            "\(system.accounts.baseURL)/api/v1/login/access-token", form: "username=\(email.replacingOccurrences(of: "@", with: "%40"))&password=correct%20horse%20battery"
        )
        let token = try #require(try login.json()["access_token"] as? String, "\(login.status) \(login.body)")
        let me = try await TestHTTP().get("\(system.accounts.baseURL)/api/v1/users/me", headers: ["Authorization": "Bearer \(token)"]).json()
        let id = try #require((me["id"] as? String).flatMap(UUID.init(uuidString:)))
        return SignedIn(id: id, cookie: ["Cookie": "motherstream_session=\(token)"])
    }
}
