import Logging
import ServiceLifecycle
import Shared

/// Closes the sessions QueueService holds for clients the ingest no longer has. A close the
/// gateway could not deliver is lost for good when it restarts (its retries live in memory and
/// SRS never resends a hook), and the DJ would stay in the queue as a ghost: "waiting" with no
/// encoder, later promoted into a black programme. So the ingest itself is asked, at start and
/// every `interval`, and each ghost is closed through the same relay as SRS's own closes.
struct SessionReconciler: Service {
    let sessions: any QueueOpenSessions
    let ingest: any IngestClients
    let closes: SessionCloseRelay
    let interval: Duration
    /// How long to wait before the confirming read: zero for SRS, which lists a client from its
    /// connect; a moment for nginx-rtmp, which lists one only after it heard the publish hook's answer.
    let confirmationDelay: Duration
    let clock: any Clock<Duration>
    let logger: Logger

    init(
        sessions: any QueueOpenSessions, ingest: any IngestClients, closes: SessionCloseRelay, interval: Duration,
        confirmationDelay: Duration = .zero, clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.sessions = sessions
        self.ingest = ingest
        self.closes = closes
        self.interval = interval
        self.confirmationDelay = confirmationDelay
        self.clock = clock
        self.logger = logger
    }

    enum Pass: Equatable, Sendable {
        /// Both sides were read; these sessions (client ids) were closed.
        case reconciled(open: Int, closed: [String])
        /// A read failed or was incomplete, so nothing was closed.
        case abandoned(reason: String)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                switch await self.reconcile() {
                case .reconciled:
                    if failing { logger.info("session reconciliation works again") }
                    failing = false
                case .abandoned(let reason):
                    // Once per outage, not every interval: QueueService or SRS may be down for a while.
                    let level: Logger.Level = failing ? .debug : .warning
                    logger.log(level: level, "session reconciliation skipped; closing nothing", metadata: ["reason": "\(reason)"])
                    failing = true
                }
                do { try await clock.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One pass. QueueService is read first: a session it opens later is not in that list, and
    /// a client SRS still holds when the session was listed is still in SRS's list read after it
    /// (SRS lists a client from its connect until its close, before and after its publish hooks).
    func reconcile() async -> Pass {
        let requestID = "reconcile-" + URLSafeToken.random(byteCount: 6)
        let open: [OpenSessionsReply.Session]
        do {
            open = try await sessions.openSessions(requestID: requestID)
        } catch {
            return .abandoned(reason: "QueueService's open sessions: \(error)")
        }
        guard !open.isEmpty else { return .reconciled(open: 0, closed: []) }
        var gone: [String]
        do {
            let present = try await ingest.connectedClientIDs(requestID: requestID)
            gone = open.map(\.clientId).filter { !present.contains($0) }
            if !gone.isEmpty {
                // A second read before closing anything: paging a list that changes underneath can
                // skip a client, and only one missing from two complete reads in a row is gone.
                if confirmationDelay > .zero {
                    try await clock.sleep(for: confirmationDelay)
                }
                let again = try await ingest.connectedClientIDs(requestID: requestID)
                gone.removeAll { again.contains($0) }
            }
        } catch {
            return .abandoned(reason: "the ingest's clients: \(error)")
        }
        for clientId in gone {
            logger.notice("closing a session the ingest no longer has", metadata: ["client_id": "\(clientId)", "request_id": "\(requestID)"])
            await closes.deliver(SessionCloseRequest(clientId: clientId, action: Self.action), requestID: requestID)
        }
        return .reconciled(open: open.count, closed: gone)
    }

    /// The `action` QueueService logs for these closes.
    static let action = "ingest_reconcile"
}
