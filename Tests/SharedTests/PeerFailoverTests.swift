import AsyncHTTPClient
import Configuration
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport

/// A peer listed as several URLs is a set of replicas: a call one of them cannot take goes to
/// another inside the caller's deadline. Real listeners on loopback: one that answers, a port
/// nobody listens on, and a socket that accepts connections and never answers.
@Suite struct PeerFailoverTests {
    @Test func callsGoToTheReplicaThatAnswersWhenTheOtherRefusesConnections() async throws {
        try await withReplicas(count: 1) { live, http in
            let dead = "http://127.0.0.1:\(try freePort())"
            // A generous deadline: under a loaded parallel test run 2 s was once not enough for
            // the refused attempt and the answer together; what is checked is who answers.
            let client = PeerClient(baseURL: "\(dead),\(live[0].server.baseURL)", http: http, authorization: nil, timeout: .seconds(10))
            for _ in 0..<20 {
                let reply = try await client.get("/who")
                #expect(reply.status == 200)
            }
            #expect(live[0].calls() == 20)
        }
    }

    @Test func aReplicaThatHangsDoesNotHoldTheCallPastItsDeadline() async throws {
        try await withReplicas(count: 1) { live, http in
            let hanging = try SilentListener()
            defer { hanging.close() }
            let client = PeerClient(baseURL: "http://127.0.0.1:\(hanging.port),\(live[0].server.baseURL)", http: http, authorization: nil, timeout: .seconds(4))
            for _ in 0..<4 {
                let reply = try await client.get("/who")
                #expect(reply.status == 200)
            }
            #expect(live[0].calls() == 4)
        }
    }

    @Test func callsTakeTurnsAcrossReplicasThatAllAnswer() async throws {
        try await withReplicas(count: 2) { live, http in
            let client = PeerClient(baseURL: live.map(\.server.baseURL).joined(separator: ","), http: http, authorization: nil, timeout: .seconds(10))
            for _ in 0..<10 {
                _ = try await client.get("/who")
            }
            #expect(live[0].calls() == 5)
            #expect(live[1].calls() == 5)
        }
    }

    @Test func whenNoReplicaAnswersTheCallFailsRatherThanHangs() async throws {
        try await withReplicas(count: 0) { _, http in
            let hanging = try SilentListener()
            defer { hanging.close() }
            let client = PeerClient(baseURL: "http://127.0.0.1:\(try freePort()),http://127.0.0.1:\(hanging.port)", http: http, authorization: nil, timeout: .seconds(1))
            await #expect(throws: PeerError.self) { try await client.get("/who") }
        }
    }

    @Test func onlyAccountServiceMayBeGivenSeveralURLs() throws {
        func settings(_ environment: [String: String]) throws -> ServiceSettings {
            try ServiceSettings(service: .hookGateway, reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        }
        let accounts = try settings(["ACCOUNT_SERVICE_URL": "http://a:8087/, http://b:8087"])
        #expect(accounts.accountServiceURL == "http://a:8087,http://b:8087")
        #expect(throws: ConfigurationError.self) { try settings(["QUEUE_SERVICE_URL": "http://q1:8086,http://q2:8086"]) }
        #expect(throws: ConfigurationError.self) { try settings(["ACCOUNT_SERVICE_URL": "a:8087"]) }
    }

    @Test func aFailedReplicaIsTriedLastUntilItsTimeIsUp() {
        let instances = PeerInstances("http://a,http://b", shunned: .seconds(5))
        let now = ContinuousClock.now
        instances.failed(0, now: now)
        #expect(instances.order(now: now + .seconds(1)).first == 1)
        #expect(instances.order(now: now + .seconds(1)).first == 1)
        let later = instances.order(now: now + .seconds(6))
        let after = instances.order(now: now + .seconds(6))
        #expect(Set([later.first, after.first]) == [0, 1])
    }
}

/// A replica that answers `GET /who` and counts the calls it took.
private struct CountingReplica {
    let server: LiveServer
    let counter: NIOLockedValueBox<Int>

    func calls() -> Int { counter.withLockedValue { $0 } }

    static func start() async throws -> CountingReplica {
        let counter = NIOLockedValueBox(0)
        let router = Router()
        router.get("/who") { _, _ in
            counter.withLockedValue { $0 += 1 }
            return "here"
        }
        return CountingReplica(server: try await LiveServer.start(router, label: "replica"), counter: counter)
    }
}

private func withReplicas(count: Int, _ body: ([CountingReplica], HTTPClient) async throws -> Void) async throws {
    var replicas: [CountingReplica] = []
    for _ in 0..<count { replicas.append(try await CountingReplica.start()) }
    let http = HTTPClientService()
    do {
        try await body(replicas, http.client)
    } catch {
        try await http.client.shutdown()
        for replica in replicas { await replica.server.stop() }
        throw error
    }
    try await http.client.shutdown()
    for replica in replicas { await replica.server.stop() }
}

/// A socket that is listening but never accepts: the kernel completes the handshake and the
/// request waits forever, as it would at a replica that froze.
private final class SilentListener: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}
