import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// Process-wide logging and metrics. Both systems may be bootstrapped only once per process,
/// and tests build many applications in one process, so the first call wins.
public enum Observability {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = NIOLockedValueBox(false)

    public static func bootstrap() {
        bootstrapped.withLockedValue { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        }
    }

    public static func logger(for service: ServiceName, level: Logger.Level) -> Logger {
        bootstrap()
        var logger = Logger(label: service.rawValue)
        logger.logLevel = level
        return logger
    }

    /// The Prometheus text exposition of every metric this process has recorded.
    public static func exposition() -> String {
        registry.emitToString()
    }
}
