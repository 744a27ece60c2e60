extension Result where Failure == any Error {
    /// The outcome of an async body, so a test can stop its servers before it looks.
    init(_ body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
