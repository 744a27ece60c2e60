import Configuration
import Shared

@main
struct QueueServiceCommand {
    static func main() async {
        await runService(named: .queueService) {
            let config = try QueueServiceConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
