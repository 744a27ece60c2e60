import AsyncHTTPClient
import Hummingbird
import NIOCore
import ServiceLifecycle
import Shared

/// `GET /api/v1/events/stream`, relayed from QueueService: the pages follow the queue through the
/// host that served them, so a deployment behind one address needs no `QUEUE_PUBLIC_URL` (with it
/// set, browsers go to QueueService directly). Public data only, as QueueService's own stream is.
struct LiveEventsRelay {
    let queueURL: String
    let http: HTTPClient
    /// EventSource reconnects (with `Last-Event-ID`) when a relayed stream ends; an hour bounds one.
    static let streamLifetime: TimeAmount = .hours(1)

    func add(to router: Router<ServiceRequestContext>) {
        router.get("api/v1/events/stream") { request, context -> Response in
            var upstream = HTTPClientRequest(url: queueURL + "/api/v1/events/stream" + (request.uri.query.map { "?" + $0 } ?? ""))
            upstream.headers.add(name: "Accept", value: "text/event-stream")
            if let last = request.headers[.lastEventID] { upstream.headers.add(name: "Last-Event-ID", value: last) }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(upstream, timeout: Self.streamLifetime)
            } catch {
                context.logger.warning("QueueService's live events could not be relayed", metadata: ["error": "\(error)"])
                throw HTTPError(.badGateway, message: "The live queue is unavailable right now.")
            }
            guard response.status == .ok else { throw HTTPError(.badGateway, message: "The live queue is unavailable right now.") }
            // Read on a task of its own, so a shutdown (or the browser leaving) can end the stream
            // while QueueService still holds it open: the server waits for open responses.
            let (chunks, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            let reader = Task {
                do {
                    for try await chunk in response.body { continuation.yield(chunk) }
                } catch {}
                continuation.finish()
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    defer { reader.cancel() }
                    try await withGracefulShutdownHandler {
                        for await chunk in chunks { try await writer.write(chunk) }
                    } onGracefulShutdown: {
                        continuation.finish()
                    }
                    try await writer.finish(nil)
                }
            )
        }
    }
}
