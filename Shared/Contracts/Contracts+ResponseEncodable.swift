import Hummingbird

// Contract types are returned straight from route handlers.
extension PublishReply: ResponseEncodable {}
extension SessionCloseReply: ResponseEncodable {}
extension ForwardReply: ResponseEncodable {}
extension KickReply: ResponseEncodable {}
extension InternalQueueState: ResponseEncodable {}
extension PublicQueue: ResponseEncodable {}
extension QueueJSON: ResponseEncodable {}
extension EventPage: ResponseEncodable {}
extension VerifiedPublisher: ResponseEncodable {}
extension StreamKeyDirectory: ResponseEncodable {}
extension TimeSettings: ResponseEncodable {}
extension TimerData: ResponseEncodable {}
extension BlockStatus: ResponseEncodable {}
extension UpdateTimerReply: ResponseEncodable {}
extension BlockToggleReply: ResponseEncodable {}
extension OBSBridgeStatus: ResponseEncodable {}
extension NotifierStatus: ResponseEncodable {}
extension WebhookStatus: ResponseEncodable {}
extension SessionCheckReply: ResponseEncodable {}
extension OpenSessionsReply: ResponseEncodable {}
extension StreamHealthReply: ResponseEncodable {}
extension LineupHealth: ResponseEncodable {}
extension OutputTargetView: ResponseEncodable {}
extension OutputsOverview: ResponseEncodable {}
extension RecordingView: ResponseEncodable {}
extension RecordingList: ResponseEncodable {}
extension RecordingStatus: ResponseEncodable {}
extension HookGatewayStatus: ResponseEncodable {}
