import Foundation

/// Bodies of QueueService's admin routes (`/api/v1/admin/queue/…`, `/api/v1/turn/extend`), as
/// the web app's night page sends them and QueueService decodes them.
public struct RemoveFromQueueRequest: Codable, Sendable, Equatable {
    public var userId: UUID

    public init(userId: UUID) {
        self.userId = userId
    }
}

public struct MoveInQueueRequest: Codable, Sendable, Equatable {
    public var userId: UUID
    /// 1 is the first waiting DJ.
    public var position: Int

    public init(userId: UUID, position: Int) {
        self.userId = userId
        self.position = position
    }
}

public struct ExtendTurnRequest: Codable, Sendable, Equatable {
    public var seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }
}

/// The original's `POST /update-timer/{seconds}` answer.
public struct UpdateTimerReply: Codable, Sendable, Equatable {
    public var status = "success"
    public var time: Int
    public var resetTime: Bool

    public init(time: Int, resetTime: Bool) {
        self.time = time
        self.resetTime = resetTime
    }
}

/// The original's `POST /block-toggle` answer.
public struct BlockToggleReply: Codable, Sendable, Equatable {
    public var status = "success"
    public var blocking: Bool

    public init(blocking: Bool) {
        self.blocking = blocking
    }
}
