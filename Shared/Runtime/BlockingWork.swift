import Foundation

/// Work that blocks in a system call — reading a child's pipe to its end, `waitpid`, an `fsync`
/// — runs on a thread of its own, never on libdispatch's global queues. On Linux those keep about
/// as many threads as there are cores and add one only once a monitor has noticed the others
/// blocked, about a second later, and Swift's tasks wait behind them: three ffmpeg children's
/// readers parked there held a 40 ms `Task.sleep` for 3 s, and with it a publish's answer.
public enum BlockingWork {
    /// Starts `work` on a new thread and returns at once.
    public static func detach(_ name: String, _ work: @escaping @Sendable () -> Void) {
        let thread = Thread { work() }
        thread.name = name
        thread.start()
    }

    /// Runs `work` on a new thread and returns what it returned.
    public static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            detach(name) { continuation.resume(returning: work()) }
        }
    }

    /// Runs `work` on a new thread and returns what it returned or throws what it threw.
    public static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            detach(name) { continuation.resume(with: Result { try work() }) }
        }
    }
}
