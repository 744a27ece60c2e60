import Foundation
import NIOPosix
import ServiceLifecycle
import Shared
import Synchronization

/// The threads Argon2 runs on: a few of its own (`ARGON2_THREADS`), never NIO's shared blocking
/// pool, where SQLite answers the stream-key check of every publish — a flood of signups used to
/// queue that check behind seconds of hashing, and publishes timed out at the gateway. At most
/// `threads` hashes run and `waiting` more wait their turn; one more is refused at once
/// (`AccountError.busy`: 503 with `Retry-After`), so a flood costs bounded memory (each running
/// hash holds `ARGON2_MEMORY_KIB`) and nobody waits long. The threads run at a lower CPU priority
/// (nice 10, and so do the threads libargon2 starts from them), so the hot path gets the cores first.
///
/// Started by its first hash; the application stops it at shutdown.
final class HashingPool: Service, Sendable {
    let threads: Int
    let waiting: Int
    private let pool: NIOThreadPool
    private let state = Mutex(State())

    private struct State {
        var started = false
        var stopped = false
        var admitted = 0
        /// Seconds one hash took lately (a moving average), to say when to come back.
        var recentSeconds = 0.25
    }

    init(threads: Int, waiting: Int) {
        precondition(threads >= 1 && waiting >= 0)
        self.threads = threads
        self.waiting = waiting
        pool = NIOThreadPool(numberOfThreads: threads)
    }

    /// Runs `work` on a hashing thread, or throws `AccountError.busy` at once when the pool is full.
    func compute<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let refusal: AccountError? = state.withLock { state in
            guard !state.stopped, state.admitted < threads + waiting else {
                let drain = state.recentSeconds * Double(threads + waiting) / Double(threads)
                return .busy(retryAfter: max(1, Int(drain.rounded(.up))))
            }
            if !state.started {
                pool.start()
                state.started = true
            }
            state.admitted += 1
            return nil
        }
        if let refusal { throw refusal }
        var seconds: Double?
        defer {
            state.withLock { state in
                state.admitted -= 1
                if let seconds { state.recentSeconds = 0.8 * state.recentSeconds + 0.2 * seconds }
            }
        }
        let (result, took) = try await pool.runIfActive { () -> (Result<T, any Error>, Double) in
            Self.yieldTheCPU()
            let started = ContinuousClock.now
            let result = Result { try work() }
            return (result, (ContinuousClock.now - started).seconds)
        }
        seconds = took
        return try result.get()
    }

    /// How many hashes are running or waiting now.
    var admitted: Int { state.withLock { $0.admitted } }

    func run() async throws {
        try? await gracefulShutdown()
        let started = state.withLock { state in
            state.stopped = true
            return state.started
        }
        if started { try await pool.shutdownGracefully() }
    }

    /// Linux keeps a nice value per thread; threads started from this one inherit it.
    private static func yieldTheCPU() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
