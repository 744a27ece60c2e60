import Foundation
import Shared

/// What Discord's rate-limit headers say about the next request to this webhook.
struct RateLimitBucket: Sendable, Equatable {
    var remaining: Int?
    var resetAt: Date?
}

/// What to do after an attempt (reference/protocols.md §4.2–4.3, as discord.py and discord.js do).
enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// 429: wait as told and send again — not counted as a retry. `cloudflare`: no `Via`
    /// header, so the block is Cloudflare's, not Discord's: back off hard.
    case rateLimited(until: Date, cloudflare: Bool)
    /// 5xx or a network error: retry with backoff.
    case retry(at: Date)
    /// 401/403/404: the webhook is gone or forbidden; using it again risks a ban.
    case disable(reason: String)
    /// Another 4xx: Discord refuses this message itself; retrying cannot help.
    case drop(reason: String)
}

/// The delivery rules as a pure value: response → outcome, headers → bucket.
struct DeliveryPolicy: Sendable, Equatable {
    /// 1 s, 2 s, 4 s … up to 5 minutes, without jitter: one worker per webhook retries alone.
    var retry = Backoff(base: .seconds(1), cap: .seconds(300), jitter: false)
    var cloudflareBackoff: TimeInterval = 600
    /// discord.js waits this much past a bucket's reset.
    var resetMargin: TimeInterval = 0.05

    /// The bucket after a response, from `X-RateLimit-Remaining` and `-Reset-After` (or `-Reset`).
    func bucket(from headers: [String: String], now: Date) -> RateLimitBucket? {
        guard let remaining = headers["x-ratelimit-remaining"].flatMap(Int.init) else { return nil }
        var resetAt: Date?
        if let after = headers["x-ratelimit-reset-after"].flatMap(Double.init) {
            resetAt = now.addingTimeInterval(after)
        } else if let epoch = headers["x-ratelimit-reset"].flatMap(Double.init) {
            resetAt = Date(timeIntervalSince1970: epoch)
        }
        return RateLimitBucket(remaining: remaining, resetAt: resetAt)
    }

    /// When the next request may go, honouring an exhausted bucket; nil means now.
    func earliestSend(bucket: RateLimitBucket?, now: Date) -> Date? {
        guard let bucket, bucket.remaining == 0, let resetAt = bucket.resetAt else { return nil }
        let ready = resetAt.addingTimeInterval(resetMargin)
        return ready > now ? ready : nil
    }

    /// `status` nil means the request never got an answer (network error, timeout).
    func outcome(status: Int?, headers: [String: String], body: Data, failures: Int, now: Date) -> DeliveryOutcome {
        guard let status else { return .retry(at: now.addingTimeInterval(backoff(failures))) }
        switch status {
        case 200..<300:
            return .delivered
        case 429:
            let retryAfter = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["retry_after"] as? Double
                ?? headers["retry-after"].flatMap(Double.init) ?? 1
            let cloudflare = headers["via"] == nil
            return .rateLimited(until: now.addingTimeInterval(cloudflare ? max(retryAfter, cloudflareBackoff) : retryAfter + resetMargin), cloudflare: cloudflare)
        case 401, 403, 404:
            return .disable(reason: "Discord answered \(status)\(Self.detail(body)): the webhook was deleted or its URL is wrong")
        case 500...:
            return .retry(at: now.addingTimeInterval(backoff(failures)))
        default:
            return .drop(reason: "Discord refused the message with \(status)\(Self.detail(body))")
        }
    }

    /// The wait after the `failures`-th failed attempt in a row (counted from 1).
    func backoff(_ failures: Int) -> TimeInterval {
        retry.seconds(attempt: failures - 1)
    }

    private static func detail(_ body: Data) -> String {
        guard let message = (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String else { return "" }
        return " (\(message.prefix(120)))"
    }
}
