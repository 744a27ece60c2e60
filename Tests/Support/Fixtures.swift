import Foundation

/// The recorded SRS bodies in `Tests/Fixtures/srs` (copied from a real SRS 6, byte for byte).
public enum SRSFixture {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/srs")

    public static func data(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(name))
    }

    public static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    /// A recorded body with its stream key (and optionally client id or param) replaced, as a
    /// real SRS would send it for another DJ. Everything else stays byte for byte.
    public static func body(
        _ name: String, streamKey: String? = nil, clientId: String? = nil, param: String? = nil
    ) throws -> String {
        var object = try JSONSerialization.jsonObject(with: data(name)) as! [String: Any]
        var text = try text(name)
        if let streamKey, let recorded = object["stream"] as? String {
            text = text.replacingOccurrences(of: "\"stream\":\"\(recorded)\"", with: "\"stream\":\"\(streamKey)\"")
            text = text.replacingOccurrences(of: "/\(recorded)\"", with: "/\(streamKey)\"")
            object["stream"] = streamKey
        }
        if let clientId, let recorded = object["client_id"] as? String {
            text = text.replacingOccurrences(of: "\"client_id\":\"\(recorded)\"", with: "\"client_id\":\"\(clientId)\"")
        }
        if let param, let recorded = object["param"] as? String {
            text = text.replacingOccurrences(of: "\"param\":\"\(recorded)\"", with: "\"param\":\"\(param)\"")
        }
        return text
    }

    /// The lines of a `.jsonl` recording.
    public static func lines(_ name: String) throws -> [String] {
        try text(name).split(separator: "\n").map(String.init)
    }
}

/// The package root, for finding built executables and scripts.
public enum PackageRoot {
    public static let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where `swift build` put the executables; `MOTHERSTREAM_BIN_DIR` overrides.
    public static var binaries: URL {
        if let override = ProcessInfo.processInfo.environment["MOTHERSTREAM_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return url.appendingPathComponent(".build/debug")
    }
}
