import Foundation
import Testing
@testable import Notifier

@Suite struct DeliveryPolicyTests {
    let policy = DeliveryPolicy()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let discord = ["via": "1.1 google"]

    @Test func theBucketComesFromTheHeaders() {
        let bucket = policy.bucket(from: ["x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.250"], now: now)
        #expect(bucket == RateLimitBucket(remaining: 0, resetAt: now.addingTimeInterval(1.25)))
        #expect(policy.earliestSend(bucket: bucket, now: now) == now.addingTimeInterval(1.3))
        #expect(policy.earliestSend(bucket: RateLimitBucket(remaining: 2, resetAt: now.addingTimeInterval(1)), now: now) == nil)
        let byEpoch = policy.bucket(from: ["x-ratelimit-remaining": "3", "x-ratelimit-reset": "1800000002.5"], now: now)
        #expect(byEpoch?.resetAt == Date(timeIntervalSince1970: 1_800_000_002.5))
        #expect(policy.bucket(from: [:], now: now) == nil)
    }

    @Test func a429WaitsRetryAfterInFloatSeconds() {
        let body = Data(#"{"message":"You are being rate limited.","retry_after":0.731,"global":false}"#.utf8)
        #expect(policy.outcome(status: 429, headers: discord, body: body, failures: 1, now: now) == .rateLimited(until: now.addingTimeInterval(0.781), cloudflare: false))
    }

    @Test func a429WithoutViaIsCloudflareAndBacksOffHard() {
        let outcome = policy.outcome(status: 429, headers: ["retry-after": "5"], body: Data(), failures: 1, now: now)
        #expect(outcome == .rateLimited(until: now.addingTimeInterval(600), cloudflare: true))
    }

    @Test(arguments: [401, 403, 404]) func aGoneOrForbiddenWebhookIsDisabled(_ status: Int) {
        guard case .disable = policy.outcome(status: status, headers: discord, body: Data(#"{"message":"Unknown Webhook","code":10015}"#.utf8), failures: 1, now: now) else {
            Issue.record("\(status) must disable the webhook")
            return
        }
    }

    @Test func serverErrorsAndNetworkErrorsRetryWithGrowingBackoff() {
        #expect(policy.outcome(status: 502, headers: [:], body: Data(), failures: 1, now: now) == .retry(at: now.addingTimeInterval(1)))
        #expect(policy.outcome(status: nil, headers: [:], body: Data(), failures: 4, now: now) == .retry(at: now.addingTimeInterval(8)))
        #expect(policy.backoff(30) == 300)
    }

    @Test func aMessageDiscordRefusesIsDroppedNotRetried() {
        guard case .drop = policy.outcome(status: 400, headers: discord, body: Data(#"{"message":"Invalid Form Body","code":50035}"#.utf8), failures: 1, now: now) else {
            Issue.record("400 must drop the message")
            return
        }
        #expect(policy.outcome(status: 204, headers: discord, body: Data(), failures: 1, now: now) == .delivered)
    }
}
