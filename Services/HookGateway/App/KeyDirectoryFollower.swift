import Logging
import ServiceLifecycle
import Shared

/// Keeps `KeyDirectory` in step with AccountService by long poll: each poll names the version held
/// and AccountService answers at once with a newer one, or after `waitSeconds` that it is still
/// current. One replica is followed at a time (a long poll must not be cut short and retried
/// elsewhere like a verify call); one that fails hands over to the next.
struct KeyDirectoryFollower: Service {
    let replicas: [PeerClient]
    let directory: KeyDirectory
    let logger: Logger
    /// Short, so a write on another AccountService replica reaches the copy within seconds (the
    /// replica reads the store again as each poll ends), and a frozen replica is noticed soon.
    static let waitSeconds = 2
    /// Names this gateway to AccountService, whose writes wait until each watcher holds them.
    let watcher = URLSafeToken.random(byteCount: 12)
    var backoff = Backoff(base: .milliseconds(100), cap: .seconds(5))

    /// A copy confirmed by a poll that waited `waitSeconds` stays fresh a little past the next one.
    static let freshness = Duration.seconds(waitSeconds + 2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var replica = 0
            var failures = 0
            while !Task.isCancelled {
                let peer = replicas[replica]
                do {
                    try await poll(peer)
                    if failures > 0 {
                        logger.notice("key directory followed again: publishes are answered without a hop", metadata: ["account_service": "\(peer.baseURL)"])
                    }
                    failures = 0
                } catch {
                    directory.lapse()
                    if failures == 0 {
                        logger.warning("key directory not followed: each publish asks AccountService until it is", metadata: ["account_service": "\(peer.baseURL)", "error": "\(error)"])
                    }
                    failures += 1
                    replica = (replica + 1) % replicas.count
                    do { try await Task.sleep(for: backoff.delay(attempt: failures - 1)) } catch { return }
                }
            }
        }
    }

    private func poll(_ peer: PeerClient) async throws {
        let path = StreamKeyDirectory.query(after: directory.version, waitSeconds: Self.waitSeconds, watcher: watcher)
        let reply = try await peer.get(path, timeout: Self.freshness)
        switch reply.status {
        case 200: directory.replace(with: try reply.decode(StreamKeyDirectory.self))
        case 304: directory.confirm()
        default: throw PeerError.unexpected(peer, reply)
        }
    }
}
