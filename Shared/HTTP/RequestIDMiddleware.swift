import HTTPTypes
import Hummingbird
import Logging
import Tracing

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    /// Where an EventSource says which event it saw last.
    public static let lastEventID = Self("Last-Event-ID")!
    /// Tells a reverse proxy (nginx) not to buffer an event stream.
    public static let accelBuffering = Self("X-Accel-Buffering")!
}

/// Adopts the caller's request id (so one publish can be followed through gateway, accounts and
/// queue in the logs) or keeps the one Hummingbird generated, and echoes it in the response.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[.requestID], Self.isUsable(incoming) {
            context.requestID = incoming
            // Hummingbird's own key, overwritten rather than joined by a second one: every
            // metadata change re-renders the log handler's metadata, on every request.
            context.logger[metadataKey: "hb.request.id"] = .string(incoming)
        } else {
            context.requestID = context.id
        }
        // The id on the request's span too, so a log line leads to its trace.
        if let trace = ServiceContext.current, let span = InstrumentationSystem.tracer.activeSpan(identifiedBy: trace) {
            span.attributes["request.id"] = context.requestID
        }
        do {
            var response = try await next(request, context)
            response.headers[.requestID] = context.requestID
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.requestID] = context.requestID
            return response
        }
    }

    /// Only short, printable ids are adopted, so a caller cannot inject into log lines.
    static func isUsable(_ id: String) -> Bool {
        URLSafeToken.isWellFormed(id, maximumLength: 64)
    }
}
