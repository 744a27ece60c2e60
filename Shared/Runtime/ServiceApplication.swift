import Hummingbird
import Logging

/// The router every service starts from: a trace span per request, request ids, request
/// metrics, and the operational routes. Services add their own routes to it.
public func makeServiceRouter(service: ServiceName, readiness: [ReadinessCheck]) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    if TraceExport.isEnabled {
        // Outermost, so the span covers the whole request; the request id middleware inside it
        // puts the id it settles on the span. Hook URLs carry SRS's secret: never exported.
        router.add(middleware: TracingMiddleware(redactingQueryParameters: ["secret", "token", "key", "password"]))
    }
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestMetricsMiddleware())
    router.addOperationalRoutes(service: service, checks: readiness)
    return router
}

extension ServiceSettings {
    public var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: service.rawValue)
    }
}
