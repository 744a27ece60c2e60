import Foundation
import Hummingbird
import Mustache

/// Renders the mustache templates into HTML responses.
struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, template) in Templates.all {
            try library.register(template, named: name)
        }
        self.library = library
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
