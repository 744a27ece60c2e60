import Foundation

/// Files tests leave behind for people to look at (screenshots, measurements): `artifacts/`
/// at the package root, or `MOTHERSTREAM_ARTIFACTS`.
public enum Artifacts {
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["MOTHERSTREAM_ARTIFACTS"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return PackageRoot.url.appendingPathComponent("artifacts")
    }

    @discardableResult
    public static func write(_ name: String, _ contents: String) throws -> URL {
        try write(name, Data(contents.utf8))
    }

    @discardableResult
    public static func write(_ name: String, _ data: Data) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}
