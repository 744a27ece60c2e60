import Metrics
import Shared
import Synchronization

/// The gateway's copy of AccountService's publisher directory (`StreamKeyDirectory`), kept by
/// `KeyDirectoryFollower`: a publish is answered from it without a hop while it is fresh — while
/// AccountService confirmed it within `freshFor` and the poll since has not failed. A copy that is
/// not fresh answers nothing and the key goes to AccountService as before, so a gateway cut off
/// from AccountService still fails closed: at once when the connection breaks, within `freshFor`
/// when AccountService just stops answering.
final class KeyDirectory: Sendable {
    private struct Held {
        var version: String
        var publishers: [String: VerifiedPublisher]
        /// Nil once a poll failed: not used until AccountService confirms it again.
        var confirmed: ContinuousClock.Instant?
    }

    private let held = Mutex<Held?>(nil)
    let freshFor: Duration
    private let size = Gauge(label: "gateway_key_directory_publishers")

    init(freshFor: Duration) {
        self.freshFor = freshFor
    }

    /// The version held, fresh or not: what the next poll asks past.
    var version: String? { held.withLock { $0?.version } }

    enum Answer: Equatable {
        case publisher(VerifiedPublisher)
        case unknown
        /// Not confirmed lately: ask AccountService.
        case notFresh
    }

    func answer(forDigest digest: String, now: ContinuousClock.Instant = .now) -> Answer {
        held.withLock { held in
            guard let held, let confirmed = held.confirmed, now - confirmed <= freshFor else { return .notFresh }
            return held.publishers[digest].map(Answer.publisher) ?? .unknown
        }
    }

    func replace(with directory: StreamKeyDirectory, at now: ContinuousClock.Instant = .now) {
        var publishers: [String: VerifiedPublisher] = [:]
        publishers.reserveCapacity(directory.publishers.count)
        for entry in directory.publishers { publishers[entry.digest] = entry.publisher }
        held.withLock { $0 = Held(version: directory.version, publishers: publishers, confirmed: now) }
        size.record(publishers.count)
    }

    /// AccountService said the held version is still the directory.
    func confirm(at now: ContinuousClock.Instant = .now) {
        held.withLock { $0?.confirmed = now }
    }

    /// A poll failed: whatever happens to the directory now would not reach this copy.
    func lapse() {
        held.withLock { $0?.confirmed = nil }
    }
}

/// Whose key is this, asked of the directory's copy first: one HMAC and a dictionary lookup while
/// the copy is fresh; AccountService's answer otherwise.
struct DirectoryFirstOwners: StreamKeyOwners {
    let directory: KeyDirectory
    let digest: StreamKeyDigest
    let accounts: any StreamKeyOwners

    func publisher(forStreamKey key: String, requestID: String) async throws -> VerifiedPublisher? {
        guard StreamKeyDigest.isWellFormed(key) else { return nil }
        switch directory.answer(forDigest: digest(key)) {
        case .publisher(let publisher):
            Self.answeredBy.directory.increment()
            return publisher
        case .unknown:
            Self.answeredBy.directory.increment()
            return nil
        case .notFresh:
            Self.answeredBy.accountService.increment()
            return try await accounts.publisher(forStreamKey: key, requestID: requestID)
        }
    }

    /// Made together, so both series are on /metrics (at 0) from the first lookup on.
    private static let answeredBy = (
        directory: Counter(label: "gateway_key_lookups_total", dimensions: [("answered_by", "directory")]),
        accountService: Counter(label: "gateway_key_lookups_total", dimensions: [("answered_by", "account_service")])
    )
}
