import Foundation

/// `POST /internal/v1/stream-keys/verify` on AccountService.
public struct StreamKeyVerificationRequest: Codable, Sendable {
    public var streamKey: String

    public init(streamKey: String) {
        self.streamKey = streamKey
    }
}

/// The owner of a valid key of an active account.
public struct VerifiedPublisher: Codable, Sendable, Equatable {
    public var userId: UUID
    public var djName: String

    public init(userId: UUID, djName: String) {
        self.userId = userId
        self.djName = djName
    }
}
