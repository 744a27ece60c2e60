import Foundation

/// `GET /internal/v1/sessions` on QueueService: every SRS session it holds open, so HookGateway
/// can compare them with the clients the ingest really has and close the ones it lost.
public struct OpenSessionsReply: Codable, Sendable, Equatable {
    public struct Session: Codable, Sendable, Equatable {
        public var clientId: String
        public var userId: UUID
        public var openedAt: Date

        public init(clientId: String, userId: UUID, openedAt: Date) {
            self.clientId = clientId
            self.userId = userId
            self.openedAt = openedAt
        }
    }

    public var sessions: [Session]

    public init(sessions: [Session]) {
        self.sessions = sessions
    }
}
