import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Hummingbird's `MetricsMiddleware` — the same metrics under the same labels and dimensions —
/// except that a response whose body is already in memory is counted when the handler returns,
/// not after it was written. Wrapping a body to learn when it was written turns it into a stream,
/// and Hummingbird writes a stream as head, body and end apart: two `write` calls and three
/// round trips through the channel's writer for every hook answer instead of one `writev`.
/// A streamed body (an event stream, a recording's download) is still counted once written, so
/// its duration and the active-request gauge cover the whole transfer.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A body of known length up to this is written at once; a longer one is a transfer.
    static var inMemoryLimit: Int { 64 * 1024 }

    private let cache = RequestMetricsCache()

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let active = cache.active(request.method)
        active.increment()
        do {
            var response = try await next(request, context)
            let endpoint = cache.endpoint(context.endpointPath ?? "Unknown", request.method, response.status)
            let finished: @Sendable () -> Void = {
                endpoint.requests.increment()
                endpoint.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                active.decrement()
            }
            if let length = response.body.contentLength, length <= Self.inMemoryLimit {
                finished()
            } else {
                let body = response.body
                response.body = ResponseBody(contentLength: body.contentLength) { writer in
                    defer { finished() }
                    try await body.write(writer)
                }
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let endpoint = cache.endpoint(context.endpointPath ?? "NotFound", request.method, status)
            endpoint.requests.increment()
            endpoint.errors.increment()
            active.decrement()
            throw error
        }
    }
}

/// The metrics of each method and endpoint, made once: making one asks the metrics backend,
/// which looks it up under its label and dimensions every time.
final class RequestMetricsCache: Sendable {
    struct Endpoint: Sendable {
        let requests: Counter
        let duration: Metrics.Timer
        let errors: Counter
    }

    private struct EndpointID: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    private let activeByMethod = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let endpoints = Mutex<[EndpointID: Endpoint]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        activeByMethod.withLock { made in
            if let meter = made[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.description)])
            made[method] = meter
            return meter
        }
    }

    func endpoint(_ route: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Endpoint {
        let id = EndpointID(route: route, method: method, status: status)
        return endpoints.withLock { made in
            if let endpoint = made[id] { return endpoint }
            let dimensions = [
                ("http.route", route), ("http.request.method", method.description), ("http.response.status_code", status.code.description),
            ]
            let endpoint = Endpoint(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                duration: Metrics.Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [("http.route", route), ("http.request.method", method.description), ("error.type", status.code.description)]
                )
            )
            made[id] = endpoint
            return endpoint
        }
    }
}
