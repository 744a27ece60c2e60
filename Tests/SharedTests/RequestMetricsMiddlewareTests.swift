import AsyncHTTPClient
import Hummingbird
import NIOCore
import Shared
import Testing
import TestSupport

/// Every service's request metrics, read back from the Prometheus exposition after real requests
/// to a real server: a body from memory is counted when its handler returns, a streamed one only
/// once its last byte went out, and a thrown error under its status.
@Suite struct RequestMetricsMiddlewareTests {
    @Test func aStreamedResponseIsTimedUntilItsLastByte() async throws {
        try await withProbe { base, http in
            let response = try await http.execute(HTTPClientRequest(url: base + "/metrics-probe/stream"), timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1024)
            #expect(String(buffer: body) == "first second")
            let seconds = try #require(sample("http_server_request_duration_sum", route: "/metrics-probe/stream"))
            // The handler returned at once; only the body's writing took its pause.
            #expect(seconds >= 0.3)
            #expect(sample("hb_requests", route: "/metrics-probe/stream", status: "200") == 1)
        }
    }

    @Test func aResponseFromMemoryIsCountedUnderItsRouteAndStatus() async throws {
        try await withProbe { base, http in
            for _ in 0..<3 {
                let response = try await http.execute(HTTPClientRequest(url: base + "/metrics-probe/memory"), timeout: .seconds(30))
                #expect(response.status == .created)
                #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "made")
            }
            #expect(sample("hb_requests", route: "/metrics-probe/memory", status: "201") == 3)
            #expect(sample("http_server_request_duration_count", route: "/metrics-probe/memory", status: "201") == 3)
        }
    }

    @Test func aThrownErrorIsCountedUnderItsStatus() async throws {
        try await withProbe { base, http in
            let response = try await http.execute(HTTPClientRequest(url: base + "/metrics-probe/conflict"), timeout: .seconds(30))
            #expect(response.status == .conflict)
            #expect(sample("hb_requests", route: "/metrics-probe/conflict") == 1)
            #expect(sample("hb_request_errors", route: "/metrics-probe/conflict") == 1)
        }
    }
}

private func withProbe(_ body: (String, HTTPClient) async throws -> Void) async throws {
    Observability.bootstrap()
    let router = Router()
    router.add(middleware: RequestMetricsMiddleware())
    router.get("/metrics-probe/stream") { _, _ in
        Response(status: .ok, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "first "))
            try await Task.sleep(for: .milliseconds(300))
            try await writer.write(ByteBuffer(string: "second"))
            try await writer.finish(nil)
        })
    }
    router.get("/metrics-probe/memory") { _, _ in
        Response(status: .created, body: ResponseBody(byteBuffer: ByteBuffer(string: "made")))
    }
    router.get("/metrics-probe/conflict") { _, _ -> Response in
        throw HTTPError(.conflict)
    }
    let server = try await LiveServer.start(router, label: "metrics-probe")
    let http = HTTPClientService()
    do {
        try await body(server.baseURL, http.client)
    } catch {
        try await http.client.shutdown()
        await server.stop()
        throw error
    }
    try await http.client.shutdown()
    await server.stop()
}

/// One sample of the exposition: the line of `name` whose labels include the route (and status).
private func sample(_ name: String, route: String, status: String? = nil) -> Double? {
    let lines = Observability.exposition().split(separator: "\n").filter { line in
        line.hasPrefix(name + "{") && line.contains("http_route=\"\(route)\"")
            && (status.map { line.contains("http_response_status_code=\"\($0)\"") } ?? true)
    }
    guard lines.count == 1, let value = lines[0].split(separator: " ").last else { return nil }
    return Double(value)
}
