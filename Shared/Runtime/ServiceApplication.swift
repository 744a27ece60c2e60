import Hummingbird
import Logging

/// The router every service starts from: request ids, request metrics, and the
/// operational routes. Services add their own routes to it.
public func makeServiceRouter(service: ServiceName, readiness: [ReadinessCheck]) -> Router<ServiceRequestContext> {
    let router = Router(context: ServiceRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.addOperationalRoutes(service: service, checks: readiness)
    return router
}

extension ServiceSettings {
    public var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: service.rawValue)
    }
}
