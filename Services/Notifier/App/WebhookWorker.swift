import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Shared
import Tracing

/// Delivers the announcements of one webhook, in event order, at least once: it follows the
/// event log with its own cursor on disk and moves the cursor past an event only after that
/// event's message was accepted (or could never be). A crash repeats at most the one message in
/// flight. Each webhook has its own worker, so a slow or dead one delays nobody else.
actor WebhookWorker: Service {
    let target: WebhookTarget
    private let follower: EventLogFollower
    private let queueState: any QueueStateReading
    private let discord: any DiscordPosting
    private let announcer: Announcer
    private let policy: DeliveryPolicy
    private let cursorFile: CursorFile
    private let sending: Bool
    /// Rate-limit and retry waits sleep on `clock`; the policy's `Date` arithmetic reads `now`.
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var bucket: RateLimitBucket?
    private(set) var status: WebhookStatus
    private let sentCounter: Counter
    private let failedCounter: Counter
    /// `notifier_backlog_events{webhook}`: events in the queue's log this webhook has not got past
    /// yet — the backlog `/status` shows, per webhook. `head` is the newest seq known to exist.
    private let backlog: Gauge
    private var head: UInt64
    private let latency = Metrics.Timer(label: "notifier_event_to_discord_seconds", preferredDisplayUnit: .milliseconds)

    init(
        target: WebhookTarget, events: any EventLogSource, queueState: any QueueStateReading, discord: any DiscordPosting,
        announcer: Announcer, policy: DeliveryPolicy, cursorPath: String, sending: Bool,
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) throws {
        self.target = target
        // 0.5 s, 1 s, 2 s … 10 s while the log cannot be read.
        self.follower = EventLogFollower(source: events, backoff: Backoff(base: .milliseconds(500), cap: .seconds(10), jitter: false), clock: clock, logger: logger)
        self.queueState = queueState
        self.discord = discord
        self.announcer = announcer
        self.policy = policy
        self.cursorFile = CursorFile(path: cursorPath)
        self.sending = sending
        self.clock = clock
        self.now = now
        self.logger = logger
        self.status = WebhookStatus(
            webhook: target.label, events: target.announced.map(\.rawValue).sorted(), state: sending ? .ok : .muted,
            cursor: try cursorFile.read() ?? 0
        )
        sentCounter = Counter(label: "notifier_messages_sent_total", dimensions: [("webhook", "\(target.index)")])
        failedCounter = Counter(label: "notifier_attempts_failed_total", dimensions: [("webhook", "\(target.index)")])
        backlog = Gauge(label: "notifier_backlog_events", dimensions: [("webhook", "\(target.index)")])
        head = status.cursor
        backlog.record(0)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.follow() }
                // Goes on after the webhook is disabled: what it no longer delivers is backlog.
                group.addTask { await self.measureBacklog() }
            }
        }
        // A disabled webhook stops working, not the service: wait for shutdown like the rest.
        try? await gracefulShutdown()
    }

    /// Follows the log until cancelled or until the webhook is disabled.
    func follow() async {
        await follower.follow(after: status.cursor) { page in
            try await self.handle(page)
        }
    }

    private func handle(_ page: EventPage) async throws -> EventLogFollower.Next {
        note(head: page.next, reset: page.truncated)
        if page.truncated {
            logger.error("events were discarded before this webhook saw them; announcements may be missing", metadata: ["webhook": "\(target.label)", "cursor": "\(status.cursor)"])
        }
        var context: Announcer.Context?
        // After a failed cursor write the follower reads the page again: skip what was handled.
        for event in page.events where event.seq > status.cursor {
            if Task.isCancelled || status.state == .disabled { break }
            if sending, let kind = announcer.kind(of: event), target.announced.contains(kind) {
                if context == nil { context = await upNext() }
                if let message = announcer.message(for: event, context: context ?? .init()) {
                    // The queue change's own trace goes on to Discord's answer.
                    await withSpan("Discord announcement", context: TraceCarrier.context(traceparent: event.traceparent) ?? .topLevel, ofKind: .producer) { span in
                        span.attributes["queue.event"] = event.type.rawValue
                        span.attributes["queue.event.seq"] = Int(event.seq)
                        await deliver(message, for: event)
                    }
                }
            }
            try await advance(to: event.seq)
        }
        if page.events.isEmpty, page.next != status.cursor { try await advance(to: page.next) }
        return status.state == .disabled ? .stop : .continueAfter(status.cursor)
    }

    /// Sends until Discord accepts the message, refuses it for good, or the webhook is disabled.
    private func deliver(_ message: DiscordMessage, for event: QueueEvent?) async {
        var failures = 0
        while !Task.isCancelled {
            if let ready = policy.earliestSend(bucket: bucket, now: now()) {
                await sleep(until: ready)
            }
            let answer = await discord.post(message, to: target.url)
            let now = self.now()
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
                await sleep(until: until)
            case .retry(let at):
                failures += 1
                status.failed += 1
                failedCounter.increment()
                status.state = .backingOff
                status.until = at
                status.reason = answer.error ?? "Discord answered \(answer.status ?? 0)"
                if failures == 1 { logger.warning("Discord delivery failed; retrying with backoff", metadata: ["webhook": "\(target.label)", "reason": "\(status.reason ?? "")"]) }
                await sleep(until: at)
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

    /// Cancellation ends the wait early; `deliver` then sees it and gives up.
    private func sleep(until date: Date) async {
        try? await clock.sleep(for: Duration(seconds: date.timeIntervalSince(now())))
    }

    /// `POST /admin/test`: one message now, through the same rules.
    func sendTest(by admin: String) async -> WebhookStatus {
        if status.state != .disabled {
            await deliver(DiscordMessage(content: "Test message from Motherstream (sent by \(admin))."), for: nil)
        }
        return status
    }

    private func advance(to seq: UInt64) async throws {
        status.cursor = seq
        note(head: seq, reset: false)
        try await cursorFile.write(seq)
    }

    /// The log's head, as a page or the queue's state shows it (`reset`: the log may have started
    /// over, so a lower seq counts), and the backlog behind it.
    private func note(head seq: UInt64, reset: Bool) {
        head = reset ? seq : max(head, seq)
        backlog.record(WebhookRoster.backlog(head: head, cursor: status.cursor))
    }

    /// Reads the queue's head every few seconds: while a message is being retried no page is
    /// read, and the events arriving meanwhile are backlog too.
    private func measureBacklog() async {
        while !Task.isCancelled {
            if let seq = try? await queueState.state(timeout: .seconds(1)).seq {
                note(head: seq, reset: false)
            }
            do { try await clock.sleep(for: .seconds(5)) } catch { return }
        }
    }

    private func upNext() async -> Announcer.Context {
        guard let state = try? await queueState.state(timeout: nil) else { return .init() }
        return .init(upNext: state.waiting.first?.djName, onAir: state.lead?.djName)
    }
}
