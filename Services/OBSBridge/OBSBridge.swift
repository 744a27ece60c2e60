import Configuration
import Shared

@main
struct OBSBridgeCommand {
    static func main() async {
        await runService(named: .obsBridge) {
            let config = try BridgeConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
