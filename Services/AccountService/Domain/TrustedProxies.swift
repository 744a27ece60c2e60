import Foundation
import NIOCore

/// The reverse proxies (Caddy, an ingress controller) whose `X-Forwarded-For` is believed. Behind
/// one, every TCP peer is the proxy, and the per-IP attempt limits would count the whole site as
/// one client; believing the header from anyone else would let a client name itself afresh at
/// every attempt. So the client is the right-most address in the chain that is not a trusted proxy.
struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (mine, theirs) in zip(bytes, address) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
                guard mine & mask == theirs & mask else { return false }
                remaining -= 8
            }
            return true
        }
    }

    var networks: [Network]

    struct ParseError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static let none = TrustedProxies(networks: [])

    /// `10.0.0.0/8,fd00::/8,127.0.0.1` — a bare address is a network of one.
    init(parsing text: String) throws {
        networks = try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.bytes(of: parts[0]) else { throw ParseError("not an IP address: \(parts[0])") }
            let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let length, (0...(bytes.count * 8)).contains(length) else { throw ParseError("not a prefix length: \(entry)") }
            return Network(bytes: bytes, prefixLength: length)
        }
    }

    init(networks: [Network]) {
        self.networks = networks
    }

    func trusts(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client a request came from: `peer` itself unless it is a trusted proxy; then, walking
    /// `X-Forwarded-For` from the right, the first hop that is not a trusted proxy. Nil when the
    /// peer's own address stands.
    func client(peer: String, forwardedFor: String?) -> String? {
        guard trusts(peer), let forwardedFor else { return nil }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var client: String?
        for hop in hops.reversed() {
            guard Self.bytes(of: hop) != nil else { break }
            client = hop
            if !trusts(hop) { break }
        }
        return client
    }

    /// 4 or 16 bytes of a textual IPv4 or IPv6 address; IPv4-mapped IPv6 counts as IPv4.
    static func bytes(of address: String) -> [UInt8]? {
        guard let parsed = try? SocketAddress(ipAddress: address, port: 0) else { return nil }
        switch parsed {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            return mapped ? Array(bytes[12...]) : bytes
        default:
            return nil
        }
    }
}
