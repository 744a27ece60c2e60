import Foundation

/// `POST /internal/v1/publish`: an SRS session of a verified DJ asks to publish.
public struct PublishRequest: Codable, Sendable, Equatable {
    public var clientId: String
    public var userId: UUID
    public var djName: String
    public var app: String
    /// The SRS stream name, i.e. the DJ's stream key. Kept only so OBS can pull the lead.
    public var stream: String
    /// The DJ's profile picture as AccountService serves it (`VerifiedPublisher.pictureUrl`).
    public var pictureUrl: String?

    public init(clientId: String, userId: UUID, djName: String, app: String, stream: String, pictureUrl: String? = nil) {
        self.clientId = clientId
        self.userId = userId
        self.djName = djName
        self.app = app
        self.stream = stream
        self.pictureUrl = pictureUrl
    }
}

public enum PublishDecision: String, Codable, Sendable {
    /// On air now.
    case lead
    /// Accepted and waiting its turn.
    case queued
    /// Not allowed to publish now (e.g. the block rule).
    case refused
}

public struct PublishReply: Codable, Sendable, Equatable {
    public var decision: PublishDecision
    /// 0 for the lead, 1 for the first waiting DJ, …; nil when refused.
    public var position: Int?
    public var reason: String?
    /// Where the ingest forwards this publish (SRS's `on_forward`), given when it leads: SRS asks
    /// right after the publish, and the gateway answers from here without a second hop.
    public var forwardTargets: [String]?

    public init(decision: PublishDecision, position: Int?, reason: String? = nil, forwardTargets: [String]? = nil) {
        self.decision = decision
        self.position = position
        self.reason = reason
        self.forwardTargets = forwardTargets
    }
}

/// `POST /internal/v1/unpublish`: an SRS session stopped publishing or closed.
public struct SessionCloseRequest: Codable, Sendable, Equatable {
    public var clientId: String
    /// The SRS action that reported it (`on_unpublish` or `on_close`), for the log.
    public var action: String

    public init(clientId: String, action: String) {
        self.clientId = clientId
        self.action = action
    }
}

public struct SessionCloseReply: Codable, Sendable, Equatable {
    /// False when the session was unknown or already closed.
    public var changed: Bool

    public init(changed: Bool) {
        self.changed = changed
    }
}

/// `GET /internal/v1/forward?client_id=…`: where SRS should forward this session's stream.
public struct ForwardReply: Codable, Sendable, Equatable {
    public var urls: [String]

    public init(urls: [String]) {
        self.urls = urls
    }
}

/// `POST /internal/v1/kick` on HookGateway.
public struct KickRequest: Codable, Sendable, Equatable {
    public var clientId: String

    public init(clientId: String) {
        self.clientId = clientId
    }
}

public struct KickReply: Codable, Sendable, Equatable {
    /// `kicked`, or `already_gone` when SRS no longer knew the client (code 2049).
    public var outcome: String

    public init(outcome: String) {
        self.outcome = outcome
    }
}

/// `POST /internal/v1/users/forget` on QueueService: an account is gone; take the DJ out of the queue.
public struct ForgetUserRequest: Codable, Sendable, Equatable {
    public var userId: UUID

    public init(userId: UUID) {
        self.userId = userId
    }
}
