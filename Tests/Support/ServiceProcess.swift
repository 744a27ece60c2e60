import AsyncHTTPClient
import Foundation
import NIOCore

/// One of the real executables, started as a process on its own port with its own data
/// directory, its output kept in a log file for when a test fails.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let port: Int
    public let environment: [String: String]
    public let logFile: URL
    private var process: Process?

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(_ name: String, port: Int, environment: [String: String], logDirectory: URL) {
        self.name = name
        self.port = port
        self.environment = environment
        self.logFile = logDirectory.appendingPathComponent("\(name).log")
    }

    /// Starts the process and waits until `/health` answers.
    public func start(timeout: Duration = .seconds(20)) async throws {
        let binary = PackageRoot.binaries.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ServiceProcessError("\(binary.path) is missing: run `swift build` (make test does) before the system tests")
        }
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) // the FileHandle below throws if this failed
        }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        let process = Process()
        process.executableURL = binary
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DB_") && $0.key != "DATABASE_URL" }
        env.merge(environment) { _, new in new }
        env["HTTP_HOST"] = "127.0.0.1"
        env["HTTP_PORT"] = "\(port)"
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        try await waitUntilHealthy(timeout: timeout)
    }

    public func waitUntilHealthy(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let process, !process.isRunning {
                throw ServiceProcessError("\(name) exited with status \(process.terminationStatus); log:\n\(tail())")
            }
            if let response = try? await HTTPClient.shared.get(url: "\(baseURL)/health").get(), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServiceProcessError("\(name) did not answer /health within \(timeout); log:\n\(tail())")
    }

    /// SIGTERM, and wait for a graceful exit; a process that does not stop within 10 s is a
    /// bug (it would hang a real deployment's restart too), reported and then killed.
    @discardableResult
    public func stop() async -> Bool {
        guard let process, process.isRunning else { return true }
        process.terminate()
        await waitForExit(process, within: .seconds(10))
        guard !process.isRunning else {
            Foundation.kill(process.processIdentifier, SIGKILL)
            await waitForExit(process, within: .seconds(5))
            return false
        }
        return true
    }

    /// SIGKILL: the process gets no chance to tidy up.
    public func kill() async {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        await waitForExit(process, within: .seconds(5))
    }

    public var pid: Int32? { process?.processIdentifier }

    private func waitForExit(_ process: Process, within timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    public func tail(_ bytes: Int = 4000) -> String {
        guard let data = try? Data(contentsOf: logFile) else { return "(no log)" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    deinit {
        if let process, process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

public struct ServiceProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
