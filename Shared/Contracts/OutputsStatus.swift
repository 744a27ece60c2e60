import Foundation

/// The relays in HookGateway's `GET /status`. No URL, key or key hint of a target, and no pull
/// URL: the status needs no session.
public struct OutputsStatus: Codable, Sendable, Equatable {
    /// `programme` or `lead`.
    public var source: String
    /// Whether there is something to relay now (the programme published, or a lead on air and connected).
    public var sourceLive: Bool
    public var targets: [OutputRelayStatus]

    public init(source: String, sourceLive: Bool, targets: [OutputRelayStatus]) {
        self.source = source
        self.sourceLive = sourceLive
        self.targets = targets
    }
}

/// One target's relay, by name.
public struct OutputRelayStatus: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var enabled: Bool
    public var state: OutputState
    public var lastError: String?
    public var retryInSeconds: Double?
    public var kbps: Double?
    public var uptimeSeconds: Double?

    public init(
        id: UUID, name: String, enabled: Bool, state: OutputState, lastError: String? = nil, retryInSeconds: Double? = nil, kbps: Double? = nil,
        uptimeSeconds: Double? = nil
    ) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.state = state
        self.lastError = lastError
        self.retryInSeconds = retryInSeconds
        self.kbps = kbps
        self.uptimeSeconds = uptimeSeconds
    }
}
