import Testing

/// Waits (in real time, briefly) for background work to reach a condition: a task the test
/// cannot await, such as the engine's timer firing after a clock was moved.
func eventually(_ what: String, _ condition: () async -> Bool) async throws {
    for _ in 0..<400 {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting for: \(what)")
}
