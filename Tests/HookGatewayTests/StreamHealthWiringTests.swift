import AsyncHTTPClient
import Configuration
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The gateway as `buildApplication` wires it for each ingest: its monitor reads the ingest's
/// stand-in over HTTP and QueueService's stand-in receives the report, built from the ingest's
/// own bytes — SRS's recorded `GET /api/v1/streams`, nginx-rtmp's captured stat page.
@Suite(.serialized, .timeLimit(.minutes(1))) struct StreamHealthWiringTests {
    func app(_ ingest: [String: String], peers: MisbehavingPeers) async throws -> some ApplicationProtocol {
        var environment = TestSecrets.environment
        environment["ACCOUNT_SERVICE_URL"] = peers.server.baseURL
        environment["QUEUE_SERVICE_URL"] = peers.server.baseURL
        environment["STREAM_HEALTH_SECONDS"] = "0.2"
        environment.merge(ingest) { $1 }
        return try await buildApplication(try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))))
    }

    /// The reports QueueService's stand-in has received once it has `count`, or all it got in 10 s.
    func reports(_ peers: MisbehavingPeers, count: Int) async throws -> [(report: StreamHealthReport, requestID: String?)] {
        let deadline = ContinuousClock.now + .seconds(10)
        while peers.calls.withLockedValue({ $0.healthReports.count }) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return peers.calls.withLockedValue { $0.healthReports }
    }

    @Test func srsRecordedStreamListIsReportedAsItsPublishersHealth() async throws {
        let peers = try await MisbehavingPeers.start()
        let srs: FakeSRSAPI
        do {
            srs = try await FakeSRSAPI.start(username: "monitor", password: "s3cret")
        } catch {
            await peers.stop()
            throw error
        }
        do {
            let ingest = ["SRS_API_URL": srs.server.baseURL, "SRS_API_USERNAME": "monitor", "SRS_API_PASSWORD": "s3cret"]
            try await app(ingest, peers: peers).test(.router) { _ in
                let received = try await reports(peers, count: 2)
                try #require(received.count >= 2, "the monitor reports every reading")
                for (report, requestID) in received {
                    #expect(report.publishers == [PublisherHealth(clientId: "z26773g6", bytesReceived: 125053, frames: 0, kbps: 0)])
                    #expect(requestID?.hasPrefix("health-") == true)
                }
                #expect(received[1].report.readAt > received[0].report.readAt)
            }
        } catch {
            await peers.stop()
            await srs.stop()
            throw error
        }
        await peers.stop()
        await srs.stop()
    }

    @Test func nginxStatPageIsReportedAsTheIngestAppsPublishersHealth() async throws {
        let peers = try await MisbehavingPeers.start()
        let page = try NginxFixture.text("stat-two-publishers.xml")
        let router = Router()
        router.get("stat") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let nginx: LiveServer
        do {
            nginx = try await LiveServer.start(router, label: "fake-nginx-stat")
        } catch {
            await peers.stop()
            throw error
        }
        do {
            let ingest = [
                "INGEST_SERVER": "nginx-rtmp", "NGINX_RTMP_STAT_URL": "\(nginx.baseURL)/stat", "NGINX_RTMP_CONTROL_URL": "\(nginx.baseURL)/control",
            ]
            try await app(ingest, peers: peers).test(.router) { _ in
                let received = try await reports(peers, count: 2)
                try #require(received.count >= 2, "the monitor reports every reading")
                for (report, requestID) in received {
                    // The relay in `rec` has no place in the queue and no health.
                    #expect(report.publishers == [
                        PublisherHealth(clientId: "1", bytesReceived: 531657, kbps: 77.2), PublisherHealth(clientId: "69", bytesReceived: 110532, kbps: 74.976),
                    ])
                    #expect(requestID?.hasPrefix("health-") == true)
                }
            }
        } catch {
            await peers.stop()
            await nginx.stop()
            throw error
        }
        await peers.stop()
        await nginx.stop()
    }

    /// A stat page that is not nginx's whole document is a failed reading (nothing is reported),
    /// never an empty one that would make every lead look silent.
    @Test func aStatPageThatIsNotWholeThrows() async throws {
        let answer = NIOLockedValueBox((status: HTTPResponse.Status.ok, body: ""))
        let router = Router()
        router.get("stat") { _, _ in
            let (status, body) = answer.withLockedValue { ($0.status, $0.body) }
            return Response(status: status, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let server = try await LiveServer.start(router, label: "fake-nginx-stat")
        let stat = NginxRTMPStat(client: PeerClient(baseURL: "\(server.baseURL)/stat", http: HTTPClient.shared, authorization: nil, timeout: .seconds(5)), app: "live")
        do {
            let whole = try NginxFixture.text("stat-two-publishers.xml")
            answer.withLockedValue { $0.body = whole }
            #expect(try await stat.publishers(requestID: nil).map(\.clientId) == ["1", "69"])
            answer.withLockedValue { $0.body = String(whole.prefix(whole.count - 30)) }
            await #expect(throws: NginxRTMPError.self) { try await stat.publishers(requestID: nil) }
            answer.withLockedValue { $0 = (.badGateway, "<html>502</html>") }
            let error = await #expect(throws: NginxRTMPError.self) { try await stat.publishers(requestID: nil) }
            #expect(error?.message.contains("HTTP 502") == true)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}
