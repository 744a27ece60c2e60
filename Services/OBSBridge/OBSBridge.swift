import Configuration
import Shared

@main
struct OBSBridgeCommand {
    static func main() async {
        await runService(named: .obsBridge) {
            let config = try OBSBridgeConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
