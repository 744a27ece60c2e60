import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Delivers the announcements of one webhook, in event order, at least once: it follows the
/// event log with its own cursor on disk and moves the cursor past an event only after that
/// event's message was accepted (or could never be). A crash repeats at most the one message in
/// flight. Each webhook has its own worker, so a slow or dead one delays nobody else.
actor WebhookWorker: Service {
    struct Status: Codable, Sendable {
        enum State: String, Codable, Sendable {
            case ok
            case backingOff = "backing_off"
            case rateLimited = "rate_limited"
            case disabled
            case muted = "notifications_off"
        }

        var webhook: String
        var events: [AnnouncementKind]
        var state: State
        var until: Date?
        var reason: String?
        var cursor: UInt64
        var sent: Int
        var failed: Int
        var lastEventLatencySeconds: Double?
    }

    let target: WebhookTarget
    private let queue: PeerClient
    private let discord: DiscordClient
    private let announcer: Announcer
    private let policy: DeliveryPolicy
    private let cursorFile: CursorFile
    private let sending: Bool
    private let logger: Logger
    private var bucket: RateLimitBucket?
    private(set) var status: Status
    private let sentCounter: Counter
    private let failedCounter: Counter
    private let latency = Metrics.Timer(label: "notifier_event_to_discord_seconds", preferredDisplayUnit: .milliseconds)

    init(target: WebhookTarget, queue: PeerClient, discord: DiscordClient, announcer: Announcer, policy: DeliveryPolicy,
         dataDirectory: String, sending: Bool, logger: Logger) throws {
        self.target = target
        self.queue = queue
        self.discord = discord
        self.announcer = announcer
        self.policy = policy
        self.cursorFile = CursorFile(path: (dataDirectory as NSString).appendingPathComponent("webhook-\(target.index).cursor"))
        self.sending = sending
        self.logger = logger
        self.status = Status(
            webhook: target.label, events: target.kinds.sorted { $0.rawValue < $1.rawValue }, state: sending ? .ok : .muted,
            cursor: try cursorFile.read() ?? 0, sent: 0, failed: 0
        )
        sentCounter = Counter(label: "notifier_messages_sent_total", dimensions: [("webhook", "\(target.index)")])
        failedCounter = Counter(label: "notifier_attempts_failed_total", dimensions: [("webhook", "\(target.index)")])
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.follow()
        }
        // A disabled webhook stops working, not the service: wait for shutdown like the rest.
        try? await gracefulShutdown()
    }

    private func follow() async {
        var pollFailures = 0
        while !Task.isCancelled, status.state != .disabled {
            do {
                let reply = try await queue.get("/internal/v1/events?after=\(status.cursor)&wait=25", timeout: .seconds(35))
                guard reply.status == 200 else { throw PeerError.unexpected(queue, reply) }
                let page = try reply.decode(EventPage.self)
                pollFailures = 0
                if page.truncated {
                    logger.error("events were discarded before this webhook saw them; announcements may be missing", metadata: ["webhook": "\(target.label)", "cursor": "\(status.cursor)"])
                }
                var context: Announcer.Context?
                for event in page.events {
                    if Task.isCancelled || status.state == .disabled { return }
                    if sending, let kind = announcer.kind(of: event), target.kinds.contains(kind) {
                        if context == nil { context = await upNext() }
                        if let message = announcer.message(for: event, context: context ?? .init()) {
                            await deliver(message, for: event)
                        }
                    }
                    try advance(to: event.seq)
                }
                if page.events.isEmpty, page.next != status.cursor { try advance(to: page.next) }
            } catch {
                if Task.isCancelled { return }
                pollFailures += 1
                try? await Task.sleep(for: .milliseconds(min(10_000, 250 * (1 << min(pollFailures, 6)))))
            }
        }
    }

    /// Sends until Discord accepts the message, refuses it for good, or the webhook is disabled.
    private func deliver(_ message: DiscordMessage, for event: QueueEvent?) async {
        var failures = 0
        while !Task.isCancelled {
            if let ready = policy.earliestSend(bucket: bucket, now: Date()) {
                try? await Task.sleep(for: .seconds(ready.timeIntervalSinceNow))
            }
            let answer = await discord.post(message, to: target.url)
            let now = Date()
            if let bucket = policy.bucket(from: answer.headers, now: now) { self.bucket = bucket }
            switch policy.outcome(status: answer.status, headers: answer.headers, body: answer.body, failures: failures + 1, now: now) {
            case .delivered:
                status.sent += 1
                sentCounter.increment()
                status.state = .ok
                status.until = nil
                if let event {
                    let seconds = now.timeIntervalSince(event.time)
                    status.lastEventLatencySeconds = seconds
                    latency.recordNanoseconds(Int64(max(0, seconds) * 1e9))
                }
                return
            case .rateLimited(let until, let cloudflare):
                status.state = .rateLimited
                status.until = until
                if cloudflare {
                    logger.error("429 without a Via header: Cloudflare is blocking this IP; backing off hard", metadata: ["webhook": "\(target.label)"])
                }
                try? await Task.sleep(for: .seconds(until.timeIntervalSinceNow))
            case .retry(let at):
                failures += 1
                status.failed += 1
                failedCounter.increment()
                status.state = .backingOff
                status.until = at
                status.reason = answer.error ?? "Discord answered \(answer.status ?? 0)"
                if failures == 1 { logger.warning("Discord delivery failed; retrying with backoff", metadata: ["webhook": "\(target.label)", "reason": "\(status.reason ?? "")"]) }
                try? await Task.sleep(for: .seconds(at.timeIntervalSinceNow))
            case .disable(let reason):
                status.failed += 1
                failedCounter.increment()
                status.state = .disabled
                status.reason = reason
                status.until = nil
                logger.error("webhook disabled", metadata: ["webhook": "\(target.label)", "reason": "\(reason)"])
                return
            case .drop(let reason):
                status.failed += 1
                failedCounter.increment()
                status.reason = reason
                logger.error("message refused by Discord and dropped", metadata: ["webhook": "\(target.label)", "reason": "\(reason)"])
                return
            }
        }
    }

    /// `POST /admin/test`: one message now, through the same rules.
    func sendTest(by admin: String) async -> Status {
        if status.state != .disabled {
            await deliver(DiscordMessage(content: "Test message from Motherstream (sent by \(admin))."), for: nil)
        }
        return status
    }

    private func advance(to seq: UInt64) throws {
        status.cursor = seq
        try cursorFile.write(seq)
    }

    private func upNext() async -> Announcer.Context {
        guard let reply = try? await queue.get("/internal/v1/state"), reply.status == 200,
              let state = try? reply.decode(InternalQueueState.self)
        else { return .init() }
        return .init(upNext: state.waiting.first?.djName)
    }
}
