import Foundation
import Shared

/// One block of `ffmpeg -progress` output: `key=value` lines closed by `progress=continue` (or
/// `progress=end` when ffmpeg finishes), about every half second.
struct RelayProgress: Sendable, Equatable {
    /// Bytes written to the output so far.
    var totalSize: Int64?
    /// How far into the stream the output is (`out_time_us`).
    var outTime: Duration?
    /// ffmpeg's own average (`bitrate=1234.5kbits/s`), `N/A` at the start.
    var bitrateKbps: Double?
    var ended = false
}

/// Collects progress lines into blocks.
struct RelayProgressParser: Sendable {
    private var fields: [Substring: Substring] = [:]

    /// The block this line closes, if it is the `progress=` line.
    mutating func feed(_ line: some StringProtocol) -> RelayProgress? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let key = Substring(line[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = Substring(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard key == "progress" else {
            fields[Substring(key)] = Substring(value)
            return nil
        }
        defer { fields = [:] }
        var block = RelayProgress(ended: value == "end")
        block.totalSize = fields["total_size"].flatMap { Int64($0) }
        block.outTime = fields["out_time_us"].flatMap { Int64($0) }.map { .microseconds($0) }
        if let bitrate = fields["bitrate"], bitrate.hasSuffix("kbits/s") {
            block.bitrateKbps = Double(bitrate.dropLast("kbits/s".count).trimmingCharacters(in: .whitespaces))
        }
        return block
    }
}

/// When a relay is retried and when it counts as hung.
struct RelayPolicy: Sendable, Equatable {
    /// Restarts after a failure: attempt n waits base·2ⁿ, at most the cap.
    var backoff = Backoff(base: .seconds(1), cap: .seconds(30))
    /// A relay whose output has not grown for this long (or that never sent) is stopped and retried:
    /// a source or platform that holds the connection open and takes nothing looks like this.
    var stallLimit: Duration = .seconds(20)
    /// A relay that was live this long before it failed starts its backoff again from the base.
    var healthyRun: Duration = .seconds(10)
}

/// One relay's state, from what its ffmpeg says and when it exits. Times are offsets on the
/// supervisor's clock (any origin): the state never reads a clock itself.
struct RelayState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case off, connecting, live, failing
    }

    private(set) var phase = Phase.off
    /// Why the last run ended, kept while the next one connects so the status says why it retries.
    private(set) var lastError: String?
    private(set) var retryAt: Duration?
    private(set) var liveSince: Duration?
    /// Failures since the relay was last healthy: the backoff's attempt number.
    private(set) var failures = 0
    private(set) var kbps: Double?
    private var lastAdvanceAt: Duration?
    private var lastSample: Sample?
    private var lastLine: String?

    /// A new ffmpeg was started.
    mutating func started(at now: Duration) {
        phase = .connecting
        retryAt = nil
        liveSince = nil
        kbps = nil
        lastAdvanceAt = now
        lastSample = nil
        lastLine = nil
    }

    /// A progress block: the relay is live once its output grows.
    mutating func heard(_ progress: RelayProgress, at now: Duration) {
        guard phase == .connecting || phase == .live, let size = progress.totalSize else { return }
        let outTime = progress.outTime ?? .zero
        let previous = lastSample
        lastSample = Sample(size: size, outTime: outTime)
        let grew = previous.map { size > $0.size || outTime > $0.outTime } ?? (size > 0 && outTime > .zero)
        if let previous, outTime > previous.outTime, size >= previous.size {
            kbps = Double(size - previous.size) * 8 / 1000 / (outTime - previous.outTime).seconds
        } else if let bitrate = progress.bitrateKbps {
            kbps = bitrate
        }
        guard grew else { return }
        lastAdvanceAt = now
        if phase != .live {
            phase = .live
            liveSince = now
            lastError = nil
        }
    }

    /// A line ffmpeg wrote to stderr; the last meaningful one explains an exit.
    mutating func said(_ line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        // ffmpeg's sign-offs say nothing about why.
        guard !text.isEmpty, text != "Conversion failed!", !text.hasPrefix("Exiting normally") else { return }
        lastLine = String(text.prefix(300))
    }

    /// Whether a running relay has sent nothing new for the stall limit.
    func isStalled(at now: Duration, limit: Duration) -> Bool {
        guard phase == .connecting || phase == .live, let lastAdvanceAt else { return false }
        return now - lastAdvanceAt >= limit
    }

    /// The relay is being stopped for having stalled: that is the error its exit reports, and it
    /// is not found stalled again while it exits.
    mutating func stalled(for limit: Duration) {
        lastAdvanceAt = nil
        lastLine = phase == .live
            ? "nothing sent for \(Int(limit.seconds)) s (the source or the platform stopped taking data)"
            : "not connected after \(Int(limit.seconds)) s"
    }

    /// ffmpeg exited on its own (not stopped): failing until the returned delay has passed.
    mutating func exited(status: Int32, at now: Duration, policy: RelayPolicy, random: Double) -> Duration {
        if let liveSince, now - liveSince >= policy.healthyRun { failures = 0 }
        let delay = policy.backoff.delay(attempt: failures, random: random)
        failures += 1
        lastError = lastLine ?? (status == 0 ? "the relay ended: the source stopped sending" : "ffmpeg exited with status \(status)")
        phase = .failing
        retryAt = now + delay
        liveSince = nil
        kbps = nil
        lastSample = nil
        return delay
    }

    /// Stopped on purpose (disabled, removed, or nothing to send): nothing to retry.
    mutating func stopped() {
        self = RelayState()
    }

    func report(at now: Duration) -> RelayReport {
        switch phase {
        case .off: .off
        case .connecting: RelayReport(state: .connecting, lastError: lastError)
        case .live: RelayReport(state: .live, kbps: kbps.map(Self.rounded), uptimeSeconds: liveSince.map { Self.rounded((now - $0).seconds) })
        case .failing:
            RelayReport(state: .failing, lastError: lastError, retryInSeconds: retryAt.map { Self.rounded(max(0, ($0 - now).seconds)) })
        }
    }

    private struct Sample: Sendable, Equatable {
        var size: Int64
        var outTime: Duration
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 10).rounded() / 10
    }
}
