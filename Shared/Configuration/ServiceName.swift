/// The five executables and the port each listens on unless told otherwise.
public enum ServiceName: String, Sendable, CaseIterable {
    case hookGateway = "HookGateway"
    case queueService = "QueueService"
    case accountService = "AccountService"
    case obsBridge = "OBSBridge"
    case notifier = "Notifier"

    public var defaultPort: Int {
        switch self {
        case .hookGateway: 8085
        case .queueService: 8086
        case .accountService: 8087
        case .obsBridge: 8088
        case .notifier: 8089
        }
    }

    public var defaultURL: String { "http://127.0.0.1:\(defaultPort)" }

    /// The folder under `./data` a service keeps its files in when `DATA_DIR` is not set.
    public var defaultDataDirectory: String {
        "./data/\(rawValue.lowercased())"
    }
}
