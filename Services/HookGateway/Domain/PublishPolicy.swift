import Shared

/// Who may publish where: DJs publish to the ingest app with their stream key; OBS publishes
/// the programme to `programmeApp` with the programme key as its stream name; anything else
/// is a relay (e.g. a copy SRS forwards back to itself for recording), allowed only with the
/// relay secret. Only DJs are queued.
struct PublishPolicy: Sendable {
    let ingestApp: String
    let relaySecret: Secret
    /// `OUTPUT_APP`: a publish there is the programme or nothing.
    var programmeApp: String? = nil
    /// `PROGRAMME_KEY`; unset, no programme publish is accepted.
    var programmeKey: Secret? = nil

    enum Verdict: Equatable {
        /// A DJ publish: verify this key and ask the queue.
        case djPublish(streamKey: String)
        case relay
        /// OBS's programme, with the right key: never queued.
        case programme
        case refuse(reason: String)
    }

    func classify(_ hook: HookRequest) -> Verdict {
        guard let stream = hook.stream, !stream.isEmpty else {
            return .refuse(reason: "no stream name")
        }
        if hook.app == ingestApp {
            return .djPublish(streamKey: stream)
        }
        if let programmeApp, hook.app == programmeApp {
            guard let programmeKey else { return .refuse(reason: "no programme key is set (PROGRAMME_KEY), so nothing may publish to \"\(programmeApp)\"") }
            guard programmeKey.matches(stream) else { return .refuse(reason: "wrong programme key") }
            return .programme
        }
        if let presented = hook.parameter("relay_secret"), relaySecret.matches(presented) {
            return .relay
        }
        return .refuse(reason: "publishing to app \"\(hook.app)\" needs the relay secret; DJs publish to \"\(ingestApp)\"")
    }

    func isIngest(_ hook: HookRequest) -> Bool {
        hook.app == ingestApp
    }

    func isProgramme(_ hook: HookRequest) -> Bool {
        programmeApp != nil && hook.app == programmeApp
    }
}
