import Foundation
import Mustache

/// The web app's pages and their two assets (`Pages/Resources`), read from AccountService's
/// resource bundle once at start. The `.mustache` pages all extend `layout`; forms carry the CSRF
/// token and repeat what was typed next to the reason it was refused. `app.js`: copy buttons,
/// reveal, confirmations, the browser's time zone, the live state of a DJ or the admin queue
/// over Server-Sent Events from QueueService, and stream health polled from this service.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary
    let stylesheet: String
    let script: String

    init() async throws {
        // SwiftPM copies the resources into `Motherstream_AccountService.resources` next to the executable.
        guard let layout = Bundle.module.url(forResource: "layout", withExtension: "mustache"),
              let stylesheet = Bundle.module.url(forResource: "app", withExtension: "css"),
              let script = Bundle.module.url(forResource: "app", withExtension: "js")
        else { throw PagesMissing(bundle: Bundle.module.bundlePath) }
        library = try await MustacheLibrary(directory: layout.deletingLastPathComponent().path)
        self.stylesheet = try String(contentsOf: stylesheet, encoding: .utf8)
        self.script = try String(contentsOf: script, encoding: .utf8)
    }

    func html(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? "template \(template) is missing"
    }

    /// The time-zone list for a select, with `chosen` selected.
    static func zones(_ chosen: String) -> [[String: Any]] {
        allZones.map { ["name": $0, "selected": $0 == chosen] }
    }

    /// Foundation's list lacks plain "UTC" on Linux; it is the default and what headless browsers report.
    static let allZones: [String] = Array(Set(TimeZone.knownTimeZoneIdentifiers + ["UTC"])).sorted()
}

struct PagesMissing: Error, CustomStringConvertible {
    var bundle: String
    var description: String { "the page templates and assets are not in \(bundle): ship that directory next to the executable" }
}
