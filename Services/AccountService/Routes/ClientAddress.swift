import Hummingbird
import NIOCore
import Shared

extension ServiceRequestContext {
    /// Who is knocking, for the attempt limits: the TCP peer's address, or for IPv6 its /64 (one
    /// host commonly holds a whole /64, so single addresses would be free for the asking).
    /// Behind a reverse proxy this is the proxy.
    var client: String {
        guard case .v6(let address)? = remoteAddress else { return remoteAddress?.ipAddress ?? "?" }
        let bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
        let mappedIPv4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        if mappedIPv4 { return bytes[12...].map(String.init).joined(separator: ".") }
        return bytes[0..<8].hexString + "::/64"
    }
}
