import Configuration
import Shared

@main
struct NotifierCommand {
    static func main() async {
        await runService(named: .notifier) {
            let config = try NotifierConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider()))
            return try await buildApplication(config)
        }
    }
}
