import Foundation

/// Runs one of the built executables as a command (e.g. `AccountService admin create`) and
/// returns its exit status and output.
public func runCommand(_ name: String, _ arguments: [String], environment: [String: String], input: String? = nil) async throws -> (status: Int32, output: String) {
    try await runProgram(PackageRoot.binaries.appendingPathComponent(name), arguments, environment: environment, input: input)
}

/// Runs any program (e.g. `/usr/bin/env schemathesis …`) to its end; its status and its
/// stdout and stderr together.
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String], input: String? = nil) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DB_") && $0.key != "DATABASE_URL" }
    env.merge(environment) { _, new in new }
    process.environment = env
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data((input + "\n").utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
