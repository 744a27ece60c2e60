import Foundation
import Crypto
import Shared
import NIOHTTP1
import TestSupport

/// Where the storm goes, and the one real admin session it may use (for absurd values on routes
/// only an admin reaches; every such request must be refused).
struct Targets: Sendable {
    var accounts: String
    var queue: String
    var gateway: String
    var bridge: String
    var notifier: String
    var adminToken: String

    var all: [String] { [accounts, queue, gateway, bridge, notifier] }
}

struct HostileRequest: Sendable {
    var category: String
    var method: HTTPMethod
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]?

    var summary: String { "[\(category)] \(method.rawValue) \(url.prefix(160)) (\(body?.count ?? 0) bytes)" }
}

enum HostileRequests {
    static let fixtures = ["on_publish.json", "on_unpublish.json", "on_close.json", "on_forward.json", "on_play.json", "on_stop.json", "on_connect.json"]

    static func make(count: Int, seed: UInt64, targets: Targets) throws -> [HostileRequest] {
        var random = SeededRandom(seed: seed)
        let bodies = try fixtures.map { Array(try SRSFixture.data($0)) }
        let tokens = forgedTokens()
        var requests: [HostileRequest] = []
        // Large bodies are few: they cost real time to send, and one answered 413 proves the point.
        var largeLeft = 60
        for index in 0..<count {
            switch index % 20 {
            case 0..<7: requests.append(mutatedHook(bodies.randomElement(using: &random)!, targets, &random, large: &largeLeft))
            case 7..<11: requests.append(forgedSession(tokens.randomElement(using: &random)!, targets, &random))
            case 11..<15: requests.append(randomRoute(targets, &random))
            case 15..<17: requests.append(badBody(targets, &random, large: &largeLeft))
            default: requests.append(absurdQuery(targets, &random))
            }
        }
        return requests
    }

    // MARK: - Mutated SRS hook bodies

    static func mutatedHook(_ recorded: [UInt8], _ targets: Targets, _ random: inout SeededRandom, large: inout Int) -> HostileRequest {
        var body = recorded
        var kind: String
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            kind = "byte flips"
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                body[Int.random(in: 0..<body.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
        case 1:
            kind = "wrong types"
            body = retyped(body, &random)
        case 2:
            kind = "missing fields"
            body = edited(body) { object in
                for key in object.keys.shuffled(using: &random).prefix(Int.random(in: 1...4, using: &random)) { object[key] = nil }
            }
        case 3:
            kind = "extra fields"
            body = edited(body) { object in
                for index in 0..<Int.random(in: 1...30, using: &random) { object["extra_\(index)"] = ["nested": [index, "x", NSNull()]] }
            }
        case 4 where large > 0:
            large -= 1
            kind = "1 MB string"
            body = edited(body) { object in object[["stream", "client_id", "app", "param", "tcUrl"].randomElement(using: &random)!] = String(repeating: "A", count: 1 << 20) }
        case 5:
            kind = "invalid UTF-8"
            body.insert(contentsOf: [0xC3, 0x28, 0xFF, 0xFE], at: Int.random(in: 1..<body.count, using: &random))
        case 6:
            kind = "NUL bytes"
            body = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"live\"", with: "\"li\\u0000ve\"").utf8)
            body.insert(0, at: Int.random(in: 0..<body.count, using: &random))
        case 7:
            kind = "deep nesting"
            let depth = Int.random(in: 500...20_000, using: &random)
            body = Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth)
        case 8:
            kind = "truncated"
            body = Array(body.prefix(Int.random(in: 0..<body.count, using: &random)))
        default:
            kind = "action swapped"
            body = edited(body) { object in object["action"] = ["on_publish", "on_unpublish", "on_close", "on_hls", "on_dvr", "x\(Int.random(in: 0..<1_000_000, using: &random))"].randomElement(using: &random)! }
        }
        let secret: String
        switch Int.random(in: 0..<6, using: &random) {
        case 0: secret = "wrong-secret"
        case 1: secret = String(repeating: "s", count: Int.random(in: 1_000...20_000, using: &random))
        case 2: secret = "%FF%00%ZZ"
        default: secret = TestSecrets.hook
        }
        let path = Bool.random(using: &random) ? "srs/hooks" : "srs/forward"
        return HostileRequest(
            category: "srs body: \(kind)", method: .POST, url: "\(targets.gateway)/\(path)?secret=\(secret)",
            headers: [("Content-Type", "application/json")], body: body
        )
    }

    private static func edited(_ body: [UInt8], _ change: (inout [String: Any]) -> Void) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return body }
        change(&object)
        return Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data(body))
    }

    private static func retyped(_ body: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        let replacements: [Any] = [42, -1, 1e308, true, NSNull(), [1, 2, 3], ["a": ["b": "c"]], "", String(repeating: "é", count: 300)]
        return edited(body) { object in
            for key in object.keys.shuffled(using: &random).prefix(Int.random(in: 1...5, using: &random)) {
                object[key] = replacements.randomElement(using: &random)!
            }
        }
    }

    // MARK: - Forged secrets and sessions

    /// alg none, the wrong key, expired, a DJ's token with its role edited, garbage.
    static func forgedTokens() -> [String] {
        let base64url = URLSafeToken.encode
        func part(_ json: String) -> String { base64url(Data(json.utf8)) }
        func hs256(_ header: String, _ payload: String, key: String) -> String {
            let signingInput = "\(part(header)).\(part(payload))"
            let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(key.utf8)))
            return "\(signingInput).\(base64url(Data(mac)))"
        }
        let later = Int(Date().timeIntervalSince1970) + 3_600
        let admin = #"{"sub":"\#(UUID().uuidString.lowercased())","role":"admin","iat":\#(later - 3_600),"exp":\#(later)}"#
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let dj = hs256(header, #"{"sub":"\#(UUID().uuidString.lowercased())","role":"dj","iat":\#(later - 3_600),"exp":\#(later)}"#, key: TestSecrets.jwt)
        let djParts = dj.split(separator: ".")
        return [
            "\(part(#"{"alg":"none","typ":"JWT"}"#)).\(part(admin)).",
            "\(part(#"{"alg":"none"}"#)).\(part(admin)).\(djParts[2])",
            hs256(header, admin, key: "not-the-jwt-secret-but-long-enough-for-hs256-0123456789"),
            hs256(header, #"{"sub":"\#(UUID().uuidString.lowercased())","role":"admin","iat":1,"exp":2}"#, key: TestSecrets.jwt),
            "\(djParts[0]).\(part(admin)).\(djParts[2])",
            hs256(#"{"alg":"HS512","typ":"JWT"}"#, admin, key: TestSecrets.jwt),
            "a.b.c", "....", String(repeating: "x", count: 9_000), "Bearer", "",
        ]
    }

    static func forgedSession(_ token: String, _ targets: Targets, _ random: inout SeededRandom) -> HostileRequest {
        let routes: [(String, HTTPMethod, String)] = [
            (targets.queue, .POST, "/api/v1/admin/queue/skip"), (targets.queue, .POST, "/api/v1/admin/queue/clear"),
            (targets.queue, .POST, "/block-toggle"), (targets.queue, .POST, "/update-timer/60"), (targets.queue, .POST, "/api/v1/turn/extend"),
            (targets.notifier, .POST, "/admin/test"), (targets.accounts, .GET, "/api/v1/users/me"),
            (targets.accounts, .GET, "/api/v1/users/me/stream-key"), (targets.accounts, .POST, "/api/v1/users/me/stream-key"),
            (targets.accounts, .GET, "/admin/users"), (targets.accounts, .GET, "/dashboard"),
            (targets.queue, .GET, "/internal/v1/state"), (targets.accounts, .POST, "/internal/v1/stream-keys/verify"),
            (targets.gateway, .POST, "/internal/v1/kick"), (targets.bridge, .POST, "/internal/v1/reconnect"),
            (targets.queue, .POST, "/internal/v1/publish"), (targets.queue, .POST, "/internal/v1/users/forget"),
        ]
        let (base, method, path) = routes.randomElement(using: &random)!
        let header: (String, String) = switch Int.random(in: 0..<4, using: &random) {
        case 0: ("Cookie", "motherstream_session=\(token)")
        case 1: ("Authorization", "Bearer \(token)\(token.isEmpty ? "" : String(repeating: "=", count: Int.random(in: 0...2, using: &random)))")
        case 2: ("Authorization", "Basic \(Data(token.utf8).base64EncodedString())")
        default: ("Authorization", "Bearer \(token)")
        }
        let body = #"{"user_id":"\#(UUID().uuidString)","position":1,"seconds":60,"webhook":1,"stream_key":"guess","client_id":"c","dj_name":"x","app":"live","stream":"s"}"#
        return HostileRequest(
            category: "forged session", method: method, url: base + path,
            headers: [header, ("Content-Type", "application/json")], body: method == .POST ? Array(body.utf8) : nil
        )
    }

    // MARK: - Random routes, methods, bodies, queries

    static func randomRoute(_ targets: Targets, _ random: inout SeededRandom) -> HostileRequest {
        let methods: [HTTPMethod] = [.GET, .POST, .PUT, .PATCH, .DELETE, .OPTIONS, .HEAD, .RAW(value: "PROPFIND"), .TRACE]
        let segments = ["api", "v1", "admin", "internal", "queue", "users", "..", "%2e%2e", "srs", "hooks", "static", "overlay", "events",
                        "stream", "%00", "%FF", "😀", "a%20b", "etc", "passwd", String(repeating: "z", count: 2_000), "me", "stream-key", "login"]
        let path = (0..<Int.random(in: 1...6, using: &random)).map { _ in segments.randomElement(using: &random)! }.joined(separator: "/")
        let method = methods.randomElement(using: &random)!
        let sendsBody = ![.GET, .HEAD, .TRACE].contains(method) && Bool.random(using: &random)
        return HostileRequest(
            category: "random route", method: method, url: "\(targets.all.randomElement(using: &random)!)/\(path)",
            headers: sendsBody ? [("Content-Type", ["application/json", "text/plain", "application/x-www-form-urlencoded"].randomElement(using: &random)!)] : [],
            body: sendsBody ? Array("{\"x\":\(Int.random(in: 0..<100, using: &random))}".utf8) : nil
        )
    }

    static func badBody(_ targets: Targets, _ random: inout SeededRandom, large: inout Int) -> HostileRequest {
        let routes: [(String, String)] = [
            (targets.accounts, "/api/v1/users/signup"), (targets.accounts, "/api/v1/login/access-token"), (targets.accounts, "/signup"),
            (targets.accounts, "/login"), (targets.accounts, "/forgot-password"), (targets.accounts, "/reset-password"),
            (targets.gateway, "/srs/hooks?secret=\(TestSecrets.hook)"), (targets.queue, "/api/v1/admin/queue/move"), (targets.notifier, "/admin/test"),
        ]
        let (base, path) = routes.randomElement(using: &random)!
        var body: [UInt8]
        var contentType: String
        var kind: String
        if large > 0, Int.random(in: 0..<4, using: &random) == 0 {
            large -= 1
            kind = "oversized"
            body = Array(#"{"email":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + Int.random(in: 0..<(1 << 20), using: &random)) + Array(#""}"#.utf8)
            contentType = "application/json"
        } else {
            kind = "mislabelled"
            let pairs: [(String, String)] = [
                ("application/x-www-form-urlencoded", #"{"email":"a@b.c","password":"longenoughpassword","dj_name":"x","timezone":"UTC"}"#),
                ("application/json", "email=a%40b.c&password=longenoughpassword&dj_name=x&timezone=UTC"),
                ("text/xml", "<signup><email>a@b.c</email></signup>"),
                ("application/json; charset=utf-16", "\u{FEFF}{}"),
                ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b.c\r\n--x--"),
                ("application/x-www-form-urlencoded", "csrf=%ZZ&email=%&&&=&=%00"),
                ("application/x-www-form-urlencoded", "a[b][c][d]=1&a[]=2&" + String(repeating: "k=v&", count: 2_000)),
            ]
            let pair = pairs.randomElement(using: &random)!
            contentType = pair.0
            body = Array(pair.1.utf8)
        }
        return HostileRequest(category: "body: \(kind)", method: .POST, url: base + path, headers: [("Content-Type", contentType)], body: body)
    }

    static func absurdQuery(_ targets: Targets, _ random: inout SeededRandom) -> HostileRequest {
        let values = ["9223372036854775807", "368934881474191034", "-9223372036854775808", "-1", "0", "1e308", "NaN", "inf", "0x10",
                      "99999999999999999999999999", "", "%00", "%FF%FE", "1.5", "\u{0661}\u{0662}", String(repeating: "9", count: 5_000)]
        let value = values.randomElement(using: &random)!.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "1"
        let admin = ("Authorization", "Bearer \(targets.adminToken)")
        let adminCookie = ("Cookie", "motherstream_session=\(targets.adminToken)")
        let internalToken = ("Authorization", "Bearer \(TestSecrets.internalToken)")
        let choices: [(HTTPMethod, String, [(String, String)])] = [
            (.GET, "\(targets.accounts)/admin/users?page=\(value)", [adminCookie]),
            (.GET, "\(targets.accounts)/admin/users?page=\(value)&q=\(value)", [adminCookie]),
            (.GET, "\(targets.accounts)/admin/queue?error=\(value)", [adminCookie]),
            (.GET, "\(targets.queue)/internal/v1/events?after=\(value)&wait=0&limit=\(value)", [internalToken]),
            (.POST, "\(targets.queue)/update-timer/\(value)?reset_time=\(value)", [admin]),
            (.GET, "\(targets.queue)/queue-json?\(value)=\(value)", []),
            (.GET, "\(targets.accounts)/reset-password?token=\(value)", []),
            (.GET, "\(targets.accounts)/login?next=\(value)", []),
            (.GET, "\(targets.notifier)/status?webhook=\(value)", []),
            (.GET, "\(targets.bridge)/status?\(value)", []),
            (.GET, "\(targets.gateway)/metrics?name=\(value)", []),
        ]
        let (method, url, headers) = choices.randomElement(using: &random)!
        return HostileRequest(category: "absurd query", method: method, url: url, headers: headers, body: nil)
    }
}
