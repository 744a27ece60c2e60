import Configuration
import Shared

@main
struct HookGatewayCommand {
    static func main() async {
        await runService(named: .hookGateway) {
            let config = try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
