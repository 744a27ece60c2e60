import Shared

/// Who may publish where: DJs publish to the ingest app with their stream key; anything else
/// is a relay (e.g. a copy SRS forwards back to itself for recording), allowed only with the
/// relay secret and never queued.
struct PublishPolicy: Sendable {
    let ingestApp: String
    let relaySecret: Secret

    enum Verdict: Equatable {
        /// A DJ publish: verify this key and ask the queue.
        case djPublish(streamKey: String)
        case relay
        case refuse(reason: String)
    }

    func classify(_ hook: HookRequest) -> Verdict {
        guard let stream = hook.stream, !stream.isEmpty else {
            return .refuse(reason: "no stream name")
        }
        if hook.app == ingestApp {
            return .djPublish(streamKey: stream)
        }
        if let presented = hook.parameter("relay_secret"), relaySecret.matches(presented) {
            return .relay
        }
        return .refuse(reason: "publishing to app \"\(hook.app)\" needs the relay secret; DJs publish to \"\(ingestApp)\"")
    }

    func isIngest(_ hook: HookRequest) -> Bool {
        hook.app == ingestApp
    }
}
