import Logging
import ServiceLifecycle
import Shared

/// Delivers "this SRS session closed" to QueueService even when it is briefly down. SRS sends
/// each close once and ignores our answer, so a lost close would leave a ghost in the queue;
/// failed deliveries are retried with backoff until they land or grow too old to matter.
actor SessionCloseRelay: Service {
    private let queue: QueuePeer
    private let logger: Logger
    private var undelivered: [String: (request: SessionCloseRequest, firstFailure: ContinuousClock.Instant)] = [:]
    private var wake: AsyncStream<Void>.Continuation?
    private let maximumAge: Duration = .seconds(600)

    init(queue: QueuePeer, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    func deliver(_ request: SessionCloseRequest, requestID: String) async {
        do {
            try await queue.close(request, requestID: requestID)
        } catch {
            logger.warning("QueueService missed a session close; will retry", metadata: ["client_id": "\(request.clientId)", "error": "\(error)"])
            undelivered[request.clientId] = (request, .now)
            wake?.yield()
        }
    }

    /// A new publish on the same SRS connection supersedes an older close still waiting.
    func forget(clientId: String) {
        undelivered[clientId] = nil
    }

    var backlog: Int { undelivered.count }

    func run() async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        // Cancelled (not merely told) on shutdown: a retry sleeping its backoff while QueueService
        // is gone would otherwise hold the gateway's exit for up to 30 s.
        await cancelWhenGracefulShutdown { await self.retryWhileUndelivered(signals) }
        if !undelivered.isEmpty {
            logger.warning("stopping with session closes QueueService never took", metadata: ["count": "\(undelivered.count)"])
        }
    }

    private func retryWhileUndelivered(_ signals: AsyncStream<Void>) async {
        var delay: Duration = .milliseconds(250)
        for await _ in signals {
            while !undelivered.isEmpty {
                do { try await Task.sleep(for: delay) } catch { return }
                delay = await retryAll() ? .milliseconds(250) : min(delay * 2, .seconds(30))
            }
        }
    }

    /// True when everything was delivered.
    private func retryAll() async -> Bool {
        for (clientId, entry) in undelivered {
            if ContinuousClock.now - entry.firstFailure > maximumAge {
                logger.error("giving up on a session close QueueService never took", metadata: ["client_id": "\(clientId)"])
                undelivered[clientId] = nil
                continue
            }
            do {
                try await queue.close(entry.request, requestID: nil)
                undelivered[clientId] = nil
                logger.info("late session close delivered", metadata: ["client_id": "\(clientId)"])
            } catch {
                return false
            }
        }
        return undelivered.isEmpty
    }
}
