import Foundation

/// QueueService and one of its event consumers (OBSBridge or Notifier) as real processes, with no
/// gateway behind them (kicks go nowhere) and no reconnect grace, so a publish or leave through
/// QueueService's internal routes changes the lead at once.
public struct QueueAndConsumer: Sendable {
    public let queue: ServiceProcess
    public let consumer: ServiceProcess

    /// `consumerEnvironment` is laid over the shared secrets and peer addresses; each process
    /// gets its own data directory and log file under a fresh temporary directory.
    public init(_ consumerName: String, label: String, consumerEnvironment: [String: String]) throws {
        let directory = try temporaryDirectory(label)
        let ports = (queue: try freePort(), consumer: try freePort())
        var environment = TestSecrets.environment
        environment["QUEUE_SERVICE_URL"] = "http://127.0.0.1:\(ports.queue)"
        environment["HOOK_GATEWAY_URL"] = "http://127.0.0.1:9"
        environment["LEAD_GRACE_SECONDS"] = "0"
        environment["WAITING_GRACE_SECONDS"] = "0"
        var queueEnvironment = environment
        queueEnvironment["DATA_DIR"] = directory.appendingPathComponent("queue").path
        var consumerEnvironment = environment.merging(consumerEnvironment) { _, new in new }
        consumerEnvironment["DATA_DIR"] = directory.appendingPathComponent(consumerName.lowercased()).path
        queue = ServiceProcess("QueueService", port: ports.queue, environment: queueEnvironment, logDirectory: directory)
        consumer = ServiceProcess(consumerName, port: ports.consumer, environment: consumerEnvironment, logDirectory: directory)
    }

    /// QueueService first: the consumer's `/health` does not wait for it, but its first poll does.
    public func start() async throws {
        try await queue.start()
        try await consumer.start()
    }

    public func stop() async {
        await consumer.stop()
        await queue.stop()
    }

    /// The end of both logs, for a failing test's message.
    public func logs(lastBytes: Int) -> String {
        [queue, consumer].map { "--- \($0.name) ---\n\($0.tail(lastBytes))" }.joined(separator: "\n")
    }
}
