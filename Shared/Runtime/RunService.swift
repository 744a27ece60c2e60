import Foundation
import Hummingbird

/// Builds and runs a service until SIGTERM/SIGINT, which shut it down gracefully. A
/// configuration or start-up error ends the process with a message and exit status 2 —
/// a production start without its secrets fails fast.
public func runService<App: ApplicationProtocol>(named service: ServiceName, _ build: @Sendable () async throws -> App) async {
    do {
        let app = try await build()
        try await app.runService()
    } catch {
        FileHandle.standardError.write(Data("\(service.rawValue) cannot start: \(error)\n".utf8))
        exit(2)
    }
}
