import Foundation
import Hummingbird

/// One dependency `/ready` asks about, e.g. "database" or "QueueService".
public struct ReadinessCheck: Sendable {
    public let name: String
    let probe: @Sendable () async -> String?

    /// `probe` returns nil when the dependency answers, or what is wrong with it.
    public init(_ name: String, probe: @escaping @Sendable () async -> String?) {
        self.name = name
        self.probe = probe
    }
}

public struct ReadinessReport: Codable, Sendable {
    public var status: String
    public var service: String
    public var checks: [String: String]
}

public struct HealthReport: Codable, Sendable {
    public var status: String
    public var service: String
    public var uptimeSeconds: Double
    public var version: String?
}

extension Router where Context == ServiceRequestContext {
    /// `/health` (the process is alive), `/ready` (its dependencies answer), `/metrics` (Prometheus text).
    public func addOperationalRoutes(service: ServiceName, checks: [ReadinessCheck]) {
        let started = ContinuousClock.now
        get("/health") { _, _ in
            let uptime = ContinuousClock.now - started
            return HealthReport(status: "ok", service: service.rawValue, uptimeSeconds: Double(uptime.components.seconds), version: Release.version)
        }
        get("/ready") { _, _ -> EditedResponse<ReadinessReport> in
            let results = await withTaskGroup(of: (String, String?).self) { group in
                for check in checks {
                    group.addTask { (check.name, await check.probe()) }
                }
                var results: [String: String] = [:]
                for await (name, problem) in group {
                    results[name] = problem ?? "ok"
                }
                return results
            }
            let ready = results.values.allSatisfy { $0 == "ok" }
            let report = ReadinessReport(status: ready ? "ready" : "not_ready", service: service.rawValue, checks: results)
            return EditedResponse(status: ready ? .ok : .serviceUnavailable, response: report)
        }
        get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Observability.exposition()))
            )
        }
    }
}

extension HealthReport: ResponseEncodable {}
extension ReadinessReport: ResponseEncodable {}
