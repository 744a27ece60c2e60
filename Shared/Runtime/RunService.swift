import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Builds and runs a service until SIGTERM/SIGINT, which shut it down gracefully. A
/// configuration or start-up error ends the process with a message and exit status 2 —
/// a production start without its secrets fails fast.
///
/// Called first thing from each `main`, on the main thread: it makes NIO's event loops Swift
/// Concurrency's global executor, so a request's handler runs where its bytes are read and
/// written instead of hopping to Dispatch's pool and back (two thread switches a request, the
/// largest single cost on the hook path). Nothing here blocks a global-executor thread: Argon2,
/// SQLite and every fsync run on thread pools of their own.
public func runService<App: ApplicationProtocol>(named service: ServiceName, _ build: @Sendable () async throws -> App) async {
    // Unless TZ names the zone, glibc looks at /etc/localtime again for every log line's
    // timestamp (a `stat` per line); naming that same file keeps the zone and drops the call.
    // Set before the event loops start, while this is the only thread.
    if getenv("TZ") == nil { setenv("TZ", ":/etc/localtime", 0) }
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    do {
        guard let traces = try TraceExport.bootstrap(service: service) else {
            try await build().runService()
            return
        }
        let app = try await build()
        // Services stop in reverse order: the application first, then the exporter, which
        // sends the spans of the last requests before it goes.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: traces), .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: app.logger
        ))
        try await group.run()
    } catch {
        FileHandle.standardError.write(Data("\(service.rawValue) cannot start: \(error)\n".utf8))
        exit(2)
    }
}
