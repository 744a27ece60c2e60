import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends one Execute Webhook request and reports what Discord answered.
struct DiscordClient: Sendable {
    let http: HTTPClient
    let userAgent: String
    let username: String?

    struct Answer: Sendable {
        var status: Int?
        var headers: [String: String]
        var body: Data
        var error: String?
    }

    func post(_ message: DiscordMessage, to url: String) async -> Answer {
        let separator = url.contains("?") ? "&" : "?"
        var request = HTTPClientRequest(url: url + separator + "wait=true")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: userAgent)
        do {
            let body = try JSONSerialization.data(withJSONObject: message.body(username: username))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await http.execute(request, timeout: .seconds(15))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return Answer(status: Int(response.status.code), headers: headers, body: Data(buffer: bytes), error: nil)
        } catch {
            return Answer(status: nil, headers: [:], body: Data(), error: "\(error)")
        }
    }
}
