import Foundation
import Logging
import NIOConcurrencyHelpers
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry tracing over OTLP/HTTP, configured by the standard `OTEL_*` variables and off
/// unless an endpoint is set. It must be bootstrapped before the service builds its HTTP client:
/// the client takes the process's tracer when it is made, and from then on every peer call is a
/// client span whose `traceparent` travels with the request.
public enum TraceExport {
    private static let enabled = NIOLockedValueBox(false)

    /// Whether this process exports traces: without, requests are not wrapped in spans at all,
    /// which the hook path would pay for on every request for nothing.
    public static var isEnabled: Bool { enabled.withLockedValue { $0 } }

    /// The exporter to run beside the service, or nil when tracing is off.
    public static func bootstrap(service: ServiceName, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (any Service)? {
        guard isWanted(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = service.rawValue
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        // `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER` and the rest
        // are applied over these by the library, as every OpenTelemetry SDK applies them.
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        enabled.withLockedValue { $0 = true }
        return backend.service
    }

    /// Tracing is on when a traces endpoint is set, and not switched off by the standard switches.
    static func isWanted(_ environment: [String: String]) -> Bool {
        let endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? ""
        guard !endpoint.isEmpty else { return false }
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { return false }
        if environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none" { return false }
        return true
    }
}
