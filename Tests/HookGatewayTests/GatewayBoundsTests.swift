import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// What a stranger can send the gateway — bodies of any size, any `action`, any query — is
/// bounded: a 413 past the route's limit, metric labels from fixed sets, and never a crash.
extension GatewayRoutesTests {
    /// The series of one metric in a Prometheus text exposition.
    static func series(_ exposition: String, of metric: String? = nil) -> [Substring] {
        exposition.split(separator: "\n").filter { line in
            guard !line.hasPrefix("#") else { return false }
            guard let metric else { return true }
            return line.hasPrefix(metric + "{") || line.hasPrefix(metric + " ")
        }
    }

    func metrics(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
    }

    @Test func randomActionsDoNotGrowTheMetrics() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let template = try SRSFixture.text("on_connect.json")
                #expect(template.contains(#""action":"on_connect""#))
                let before = try await metrics(client)
                for index in 0..<1_000 {
                    let action = "on_\(index)_" + URLSafeToken.random(byteCount: 6)
                    let body = template.replacingOccurrences(of: #""action":"on_connect""#, with: #""action":"\#(action)""#)
                    #expect(try await post(client, hooks, body) == (.ok, #"{"code":0}"#))
                }
                let after = try await metrics(client)
                let hookSeries = Self.series(after, of: "gateway_hooks_total")
                #expect(hookSeries.contains { $0.contains(#"action="other""#) })
                #expect(!hookSeries.contains { $0.contains(#"action="on_0_"#) })
                // Other suites in the same process (the nginx-rtmp routes too) add series to this family meanwhile,
                // so the bound is on the labels: every action is one of the fixed set, and 1,000 actions made one series.
                let labels = Set(HookAction.allCases.map { HookCounter.label(for: $0) } + [HookCounter.label(for: nil)])
                for series in hookSeries {
                    let action = series.split(separator: "action=\"").dropFirst().first?.prefix { $0 != "\"" }
                    #expect(action.map { labels.contains(String($0)) } == true, "\(series)")
                }
                let other = { (exposition: String) in Self.series(exposition, of: "gateway_hooks_total").filter { $0.contains(#"action="other""#) }.count }
                #expect(other(after) <= other(before) + 1)
            }
        }
    }

    @Test func anActionSRSDoesNotSendIsCountedAsOther() throws {
        var hook = try HookRequest.decode(SRSFixture.data("on_connect.json"))
        hook.action = "on_" + String(repeating: "x", count: 10_000)
        #expect(HookCounter.label(for: hook.kind) == "other")
        #expect(HookCounter.label(for: nil) == "unknown")
        #expect(HookCounter.label(for: try HookRequest.decode(SRSFixture.data("on_close.json")).kind) == "on_close")
    }

    @Test(arguments: ["/srs/hooks", "/srs/forward"]) func aHookBodyOverSixteenKiBIsRefusedWith413(_ path: String) async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let uri = "\(path)?secret=\(TestSecrets.hook)"
                // Just over the limit, and valid JSON SRS would otherwise accept.
                let padded = try SRSFixture.text("on_connect.json").replacingOccurrences(
                    of: #""action":"#, with: #""padding":"\#(String(repeating: "x", count: 16 * 1024))","action":"#
                )
                let (status, body) = try await post(client, uri, padded)
                #expect(status == .contentTooLarge)
                #expect(body.hasPrefix(#"{"code":413,"#))
                let (huge, _) = try await post(client, uri, String(repeating: "x", count: 1_000_000))
                #expect(huge == .contentTooLarge)
                // A recorded body is far below the limit.
                #expect(try await post(client, uri, SRSFixture.text("on_connect.json")).0 == .ok)
            }
            #expect(peers.calls.withLockedValue { $0.verify.isEmpty && $0.publish.isEmpty })
        }
    }

    @Test func aMegabyteHookBodyIsRefusedWith413OverTheWire() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.live) { client in
                let megabyte = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1_000_000)
                let reply = try await client.execute(uri: hooks, method: .post, headers: [.contentType: "application/json"], body: megabyte)
                #expect(reply.status == .contentTooLarge)
                #expect(String(buffer: reply.body).hasPrefix(#"{"code":413,"#))
                let after = try await client.execute(uri: hooks, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: try SRSFixture.text("on_connect.json")))
                #expect(after.status == .ok)
            }
        }
    }

    @Test func aKickBodyOverFourKiBIsRefusedWith413() async throws {
        try await withFakes { peers, srs in
            srs.connect("z26773g6")
            try await app(peers: peers, srs: srs).test(.router) { client in
                let padded = #"{"client_id":"z26773g6","padding":"\#(String(repeating: "x", count: 4 * 1024))"}"#
                let (over, _) = try await post(client, "/internal/v1/kick", padded, headers: internalAuth)
                #expect(over == .contentTooLarge)
                let (huge, _) = try await post(client, "/internal/v1/kick", String(repeating: "x", count: 1_000_000), headers: internalAuth)
                #expect(huge == .contentTooLarge)
                // Without the token the size does not matter: 401 first.
                let (anonymous, _) = try await post(client, "/internal/v1/kick", padded)
                #expect(anonymous == .unauthorized)
            }
            #expect(srs.kicks.isEmpty)
            #expect(srs.isConnected("z26773g6"))
        }
    }

    static let hostileQueries: [String] = [
        "secret=" + String(repeating: "A", count: 60_000),
        "secret=" + String(repeating: "%FF", count: 10_000),
        "secret=%FF%FE%FD", "secret=%C0%80", "secret=%ED%A0%80", "secret=%00", "secret=%", "secret=%%", "secret=%G1", "secret=%E2%82",
        "secret=", "secret", "=", "&&&&", "secret==", "secret=a=b=c", "%73ecret=\(TestSecrets.hook)",
        "secret=guess&secret=\(TestSecrets.hook)", String(repeating: "secret=x&", count: 5_000),
        "secret=\(TestSecrets.hook)%00", "secret=\(TestSecrets.hook)&secret=%FF", "a[]=1&a[]=2&secret[]=x",
    ]

    @Test func noQueryValueCrashesTheGateway() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.router) { client in
                let body = try SRSFixture.text("on_connect.json")
                for query in Self.hostileQueries {
                    for path in ["/srs/hooks", "/srs/forward", "/internal/v1/kick", "/metrics", "/health"] {
                        let status = try await client.execute(uri: "\(path)?\(query)", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { $0.status }
                        #expect(status.code < 500, "\(path)?\(query.prefix(60)) answered \(status)")
                    }
                    let (hook, _) = try await post(client, "/srs/hooks?\(query)", body)
                    #expect(hook == .forbidden || hook == .ok, "\(query.prefix(60))")
                }
                // Only the one that starts with the right secret is taken; a guess first is refused.
                #expect(try await post(client, "/srs/hooks?secret=guess&secret=\(TestSecrets.hook)", body).0 == .forbidden)
                #expect(try await post(client, "/srs/hooks?secret=\(TestSecrets.hook)%00", body).0 == .forbidden)
                #expect(try await post(client, hooks, body) == (.ok, #"{"code":0}"#))
            }
        }
    }

    @Test func noQueryValueCrashesTheGatewayOverTheWire() async throws {
        try await withFakes { peers, srs in
            try await app(peers: peers, srs: srs).test(.live) { client in
                let body = ByteBuffer(string: try SRSFixture.text("on_connect.json"))
                for query in Self.hostileQueries {
                    let reply = try await client.execute(uri: "/srs/hooks?\(query)", method: .post, headers: [.contentType: "application/json"], body: body)
                    #expect(reply.status.code < 500, "\(query.prefix(60)) answered \(reply.status)")
                }
                #expect(try await client.execute(uri: hooks, method: .post, headers: [.contentType: "application/json"], body: body).status == .ok)
            }
        }
    }
}
