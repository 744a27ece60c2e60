import AsyncHTTPClient
import Foundation
import NIOCore

/// What Discord answered to one Execute Webhook request; `status` nil means no answer came
/// (network error, timeout) and `error` says why.
struct DiscordAnswer: Sendable {
    var status: Int?
    var headers: [String: String]
    var body: Data
    var error: String?
}

/// Sends one message to one webhook. `WebhookWorker` calls it; tests swap in a fake.
protocol DiscordPosting: Sendable {
    func post(_ message: DiscordMessage, to url: String) async -> DiscordAnswer
}

/// Execute Webhook over HTTPS (reference/protocols.md §4.1), with `wait=true` so errors are reported.
struct DiscordClient: DiscordPosting {
    let http: HTTPClient
    let userAgent: String
    let username: String?

    func post(_ message: DiscordMessage, to url: String) async -> DiscordAnswer {
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
            return DiscordAnswer(status: Int(response.status.code), headers: headers, body: Data(buffer: bytes), error: nil)
        } catch {
            return DiscordAnswer(status: nil, headers: [:], body: Data(), error: "\(error)")
        }
    }
}
