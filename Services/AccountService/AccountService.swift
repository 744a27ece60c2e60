import Configuration
import Shared

@main
struct AccountServiceCommand {
    static func main() async {
        await runService(named: .accountService) {
            let config = try AccountConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
