import Foundation
import Mustache

/// The queue page and the three OBS overlays, built once at start from the resource files in
/// `Pages/Resources`. Each is one self-contained HTML document (`page.mustache` inlines the
/// shared `overlay.css` and `overlay.js`, then the page's body and script), so a copy saved as a
/// local file works in an OBS browser source too; all live data arrives as `queue` snapshots
/// over Server-Sent Events.
///
/// - `overlay.js`: one EventSource that survives QueueService restarts, rendering the `queue`
///   snapshots it receives; no polling. `?api=` points a page saved as a local file (e.g. an OBS
///   browser source opened before QueueService is up) at the service.
/// - `overlay.css`: transparent for OBS browser sources at 1920×1080; text on a translucent panel
///   with a shadow stays readable over any video. `?theme=light` flips the panel.
/// - `lineup.js`: now playing and up next, for the queue page and the queue overlay.
struct OverlayPages: Sendable {
    struct Page: Sendable {
        /// Where the page is served.
        var path: String
        var html: String
    }

    let pages: [Page]

    init(bundle: Bundle = .module) throws {
        let template = try MustacheTemplate(string: try Self.text("page", "mustache", in: bundle))
        let stylesheet = try Self.text("overlay", "css", in: bundle)
        let script = try Self.text("overlay", "js", in: bundle)
        func page(_ path: String, title: String, bodyClass: String = "", body: String, script pageScript: String) throws -> Page {
            let context = [
                "title": title, "bodyClass": bodyClass, "stylesheet": stylesheet, "script": script,
                "body": try Self.text(body, "html", in: bundle), "pageScript": try Self.text(pageScript, "js", in: bundle),
            ]
            return Page(path: path, html: template.render(context))
        }
        pages = [
            // The original's page: now playing, up next, live.
            try page("queue-list", title: "Motherstream — queue", bodyClass: "page", body: "queue-list", script: "lineup"),
            // Now playing and the next `?limit=` DJs.
            try page("overlays/queue", title: "Queue overlay", body: "queue", script: "lineup"),
            // HH:MM:SS to the end of the turn, counted down locally between updates.
            try page("overlays/timer", title: "Timer overlay", body: "timer", script: "timer"),
            // The lead's name, large.
            try page("overlays/now-playing", title: "Now playing overlay", body: "now-playing", script: "now-playing"),
        ]
    }

    /// A resource file's text without the newline that ends it as a file: the pages inline them.
    private static func text(_ name: String, _ type: String, in bundle: Bundle) throws -> String {
        guard let url = bundle.url(forResource: name, withExtension: type) else {
            throw PageResourceMissing(name: "\(name).\(type)", bundle: bundle.bundlePath)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}

/// A page's file is missing from QueueService's resource bundle (`Motherstream_QueueService.resources`,
/// installed next to the executable).
struct PageResourceMissing: Error, CustomStringConvertible {
    var name: String
    var bundle: String
    var description: String { "the page resource \(name) is missing from \(bundle)" }
}
