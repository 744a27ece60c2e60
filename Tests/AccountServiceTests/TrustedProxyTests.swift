import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing
import TestSupport
@testable import AccountService

/// Behind Caddy every TCP peer is Caddy: the per-address limits must count the client it
/// forwarded for — and believe `X-Forwarded-For` from the trusted proxies only.
@Suite struct TrustedProxyTests {
    static func login(_ client: some TestClientProtocol, forwardedFor: String?, _ index: Int) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        return try await client.execute(
            uri: "/api/v1/login/access-token", method: .post, headers: headers,
            body: ByteBuffer(string: "username=nobody\(index)@example.org&password=a+password")
        ) { $0.status }
    }

    @Test func behindATrustedProxyEachForwardedClientHasItsOwnLimit() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("proxy"), ["TRUSTED_PROXIES": "127.0.0.1/32,::1"]).test(.live) { client in
            for index in 0..<RateLimiter.Rule.loginPerIP.limit {
                try #expect(await Self.login(client, forwardedFor: "203.0.113.7", index) == .unauthorized)
            }
            try #expect(await Self.login(client, forwardedFor: "203.0.113.7", 100) == .tooManyRequests)
            try #expect(await Self.login(client, forwardedFor: "198.51.100.9, 203.0.113.8", 101) == .unauthorized, "another client behind the same proxy is not limited")
        }
    }

    @Test func withoutTrustedProxiesTheHeaderIsIgnored() async throws {
        try await AttemptWindows.awayFromABoundary()
        try await TestApp.build(try temporaryDirectory("proxy")).test(.live) { client in
            for index in 0..<RateLimiter.Rule.loginPerIP.limit {
                #expect(try await Self.login(client, forwardedFor: "203.0.113.\(index)", index) == .unauthorized)
            }
            try #expect(await Self.login(client, forwardedFor: "198.51.100.1", 100) == .tooManyRequests, "a client cannot name itself afresh")
        }
    }

    @Test func theClientIsTheRightMostHopThatIsNotAProxy() throws {
        let proxies = try TrustedProxies(parsing: "10.0.0.0/8, 172.16.0.0/12,fd00::/8")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "198.51.100.1, 203.0.113.5, 172.17.0.2") == "203.0.113.5")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "203.0.113.5") == "203.0.113.5")
        #expect(proxies.client(peer: "203.0.113.9", forwardedFor: "198.51.100.1") == nil, "an untrusted peer's header is ignored")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: "not-an-address, 10.0.0.7") == "10.0.0.7", "garbage stops the walk")
        #expect(proxies.client(peer: "fd12::1", forwardedFor: "2001:db8::1") == "2001:db8::1")
        #expect(proxies.trusts("::ffff:10.9.9.9"), "IPv4-mapped IPv6 is IPv4")
        #expect(!proxies.trusts("11.0.0.1") && !proxies.trusts("172.32.0.1"))
        #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: "10.0.0.0/33") }
        #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: "caddy") }
    }
}
