import Crypto
import Foundation
import ServiceLifecycle
import Shared

/// The publisher directory HookGateway keeps a copy of (`StreamKeyDirectory`): every active
/// account by its key's digest, built from the store and named by its content, so replicas that
/// read the same rows hand out the same version.
///
/// A watcher (a gateway) long-polls with the version it holds. A write that changes the directory
/// wakes the polls at once and then waits — at most `settleLimit` — until every watcher that polled
/// lately holds the new version: by the time a deactivation or a key rotation is answered, the
/// gateway already refuses the old key. A write on another replica reaches a watcher when that
/// replica's poll ends and it reads the store again: within the poll's wait, a few seconds.
actor PublisherDirectory {
    private let store: any UserStore
    private let publicURL: String
    private let settleLimit: Duration
    private var current: StreamKeyDirectory?
    private var watchers: [String: Watcher] = [:]
    private let changes = ChangeSignal<String>()
    private let holdings = ChangeSignal<String>()
    /// Set at graceful shutdown: polls answer at once, so the server is not held for their wait.
    private var isClosed = false
    /// The order in which this replica built its recent versions: a watcher holding a later one
    /// than a write's holds that write too. Under concurrent writes the version moves on before a
    /// watcher polls with the one a write built, so waiting for that exact version waited out the
    /// whole `settleLimit` and then answered without the watcher holding anything newer.
    private var builtOrder: [String: Int] = [:]
    private var built = 0
    private static let versionsRemembered = 256

    private struct Watcher {
        var holds: String?
        var seen: ContinuousClock.Instant
    }

    /// A watcher that has not polled for this long is not waited for (a gateway that stopped).
    static let watcherAbsence = Duration.seconds(3)

    init(store: any UserStore, publicURL: String, settleLimit: Duration = .seconds(1)) {
        self.store = store
        self.publicURL = publicURL
        self.settleLimit = settleLimit
    }

    /// The directory once it is not `version`: at once when it already differs, else when a write
    /// changes it or, after `wait`, when the store (perhaps written by another replica) does;
    /// nil when it is still `version` then. A graceful shutdown ends the wait: the server waits
    /// for open requests before it stops, and a rolling restart should not wait out every poll.
    func next(after version: String?, wait: Duration, watcher: String) async throws -> StreamKeyDirectory? {
        let changed = changes.subscribe()
        noteHolding(version, by: watcher)
        defer { watchers[watcher]?.seen = .now }
        let held = try await latest()
        if held.version != version { return held }
        if isClosed { return nil }
        let woken = await withGracefulShutdownHandler {
            await firstWithin(wait, { await changed.first { _ in true } })
        } onGracefulShutdown: {
            Task { await self.close() }
        }
        if woken != nil, let current, current.version != version {
            return current
        }
        if isClosed { return nil }
        let reread = try await rebuild()
        return reread.version == version ? nil : reread
    }

    /// Ends every waiting poll and answers later ones at once.
    private func close() {
        isClosed = true
        changes.send(current?.version ?? "")
    }

    /// After a write that may change the directory: rebuilt, announced, and held by the watchers.
    func written() async {
        guard let directory = try? await rebuild() else { return }
        let deadline = ContinuousClock.now + settleLimit
        while true {
            // Subscribed before looking, so a holding noted in between is not missed; a fresh
            // subscription each time, since a stream whose waiting task was cancelled has ended.
            let held = holdings.subscribe()
            if everyWatcherHolds(directory.version) { return }
            let remaining = deadline - .now
            guard remaining > .zero, await firstWithin(remaining, { await held.first { _ in true } }) != nil else { return }
        }
    }

    /// What the store holds now; announced when it differs from what was handed out.
    @discardableResult
    func rebuild() async throws -> StreamKeyDirectory {
        let users = try await store.activeUsers()
        let directory = Self.directory(of: users.map { StreamKeyDirectory.Entry(digest: $0.streamKey.digest, publisher: $0.publisher(publicURL: publicURL)) })
        let previous = current?.version
        current = directory
        if previous != directory.version {
            remember(directory.version)
            changes.send(directory.version)
        }
        return directory
    }

    private func latest() async throws -> StreamKeyDirectory {
        if let current { return current }
        return try await rebuild()
    }

    private func noteHolding(_ version: String?, by watcher: String) {
        watchers[watcher] = Watcher(holds: version, seen: .now)
        let absent = ContinuousClock.now - Self.watcherAbsence
        watchers = watchers.filter { $0.value.seen > absent }
        if let version { holdings.send(version) }
    }

    private func remember(_ version: String) {
        built += 1
        builtOrder[version] = built
        if builtOrder.count > Self.versionsRemembered {
            builtOrder = builtOrder.filter { $0.value > built - Self.versionsRemembered }
        }
    }

    /// Whether every watcher seen lately holds `version` or one built after it.
    private func everyWatcherHolds(_ version: String) -> Bool {
        let absent = ContinuousClock.now - Self.watcherAbsence
        guard let wanted = builtOrder[version] else { return false }
        return watchers.values.allSatisfy { watcher in
            watcher.seen <= absent || watcher.holds.flatMap { builtOrder[$0] }.map { $0 >= wanted } == true
        }
    }

    /// Entries in digest order, named by a hash of exactly what they say.
    static func directory(of entries: [StreamKeyDirectory.Entry]) -> StreamKeyDirectory {
        let sorted = entries.sorted { $0.digest < $1.digest }
        var hash = SHA256()
        for entry in sorted {
            let publisher = entry.publisher
            let line = [entry.digest, publisher.userId.uuidString, publisher.djName, publisher.pictureUrl ?? ""].joined(separator: "\u{1F}") + "\n"
            hash.update(data: Data(line.utf8))
        }
        return StreamKeyDirectory(version: Array(hash.finalize()).prefix(16).hexString, publishers: sorted)
    }
}
