import Shared

/// The webhooks' workers (or, with none configured, the follower that only counts events), as
/// operators see and test them.
struct WebhookRoster: Sendable {
    let workers: [WebhookWorker]
    let counter: QueueFollower?
    let sending: Bool
    let queueState: any QueueStateReading

    func status() async -> NotifierStatus {
        var webhooks: [WebhookStatus] = []
        for worker in workers { webhooks.append(await worker.status) }
        let counted = await counter?.currentStatus()
        let head = try? await queueState.state(timeout: .seconds(1)).seq
        let cursors = webhooks.map(\.cursor) + [counted?.cursor].compactMap { $0 }
        let backlog = head.map { head in cursors.map { Self.backlog(head: head, cursor: $0) }.max() ?? 0 } ?? 0
        let note: String? = workers.isEmpty
            ? "No webhook configured (DISCORD_WEBHOOK_URL): events are consumed and counted only."
            : (sending ? nil : "TOGGLE_DISCORD_NOTIFICATIONS=false: events are consumed and counted, nothing is sent.")
        return NotifierStatus(sending: sending && !workers.isEmpty, note: note, backlog: backlog, queueSeq: head, webhooks: webhooks, counter: counted)
    }

    /// Events after `cursor` up to the log's `head`: what a consumer still has to get through.
    static func backlog(head: UInt64, cursor: UInt64) -> UInt64 {
        head > cursor ? head - cursor : 0
    }

    /// Webhook `index`, numbered from 1 as in `/status`.
    func worker(_ index: Int) -> WebhookWorker? {
        workers.first { $0.target.index == index }
    }
}
