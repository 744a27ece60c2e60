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
    /// Where the DJ's profile picture is served (an absolute URL on AccountService, `picture_url`);
    /// absent when they have none.
    public var pictureUrl: String?

    public init(userId: UUID, djName: String, pictureUrl: String? = nil) {
        self.userId = userId
        self.djName = djName
        self.pictureUrl = pictureUrl
    }
}
