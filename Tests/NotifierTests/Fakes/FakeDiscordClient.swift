import Foundation
import Synchronization
@testable import Notifier

/// Discord as `WebhookWorker` sees it through `DiscordPosting`: answers scripted in order (then
/// 200 for everything), and every message it was given, recorded.
final class FakeDiscordClient: DiscordPosting {
    struct Post: Sendable {
        var message: DiscordMessage
        var url: String
    }

    private let state = Mutex<(answers: [DiscordAnswer], posts: [Post])>(([], []))

    init(answers: [DiscordAnswer] = []) {
        state.withLock { $0.answers = answers }
    }

    var posts: [Post] { state.withLock { $0.posts } }

    func post(_ message: DiscordMessage, to url: String) async -> DiscordAnswer {
        state.withLock { state in
            state.posts.append(Post(message: message, url: url))
            return state.answers.isEmpty ? .accepted : state.answers.removeFirst()
        }
    }
}

/// Answers as reference/protocols.md §4 describes them; Discord's own carry `Via`.
extension DiscordAnswer {
    static let accepted = DiscordAnswer(status: 200, headers: ["via": "1.1 google"], body: Data(#"{"id":"1","type":0}"#.utf8))

    static func accepted(remaining: Int, resetAfter: Double) -> DiscordAnswer {
        DiscordAnswer(status: 200, headers: [
            "via": "1.1 google", "x-ratelimit-limit": "5", "x-ratelimit-remaining": "\(remaining)", "x-ratelimit-reset-after": "\(resetAfter)",
        ], body: Data(#"{"id":"1","type":0}"#.utf8))
    }

    static func rateLimited(retryAfter: Double) -> DiscordAnswer {
        DiscordAnswer(status: 429, headers: [
            "via": "1.1 google", "x-ratelimit-remaining": "0", "retry-after": "\(Int(retryAfter.rounded(.up)))", "x-ratelimit-scope": "user",
        ], body: Data(#"{"message":"You are being rate limited.","retry_after":\#(retryAfter),"global":false}"#.utf8))
    }

    static func failed(_ status: Int, message: String) -> DiscordAnswer {
        DiscordAnswer(status: status, headers: ["via": "1.1 google"], body: Data(#"{"message":"\#(message)","code":0}"#.utf8))
    }

    static let unknownWebhook = DiscordAnswer(status: 404, headers: ["via": "1.1 google"], body: Data(#"{"message":"Unknown Webhook","code":10015}"#.utf8))

    static func unreachable(_ reason: String) -> DiscordAnswer {
        DiscordAnswer(status: nil, headers: [:], body: Data(), error: reason)
    }
}
