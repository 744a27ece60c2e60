import Foundation

/// The attempt limits count in fixed windows of 15 minutes and an hour from the epoch, with the
/// previous window's share sliding out: a test that makes its attempts across a boundary (one CI
/// run did, at 17:30:00) sees the limit soften halfway. A test that counts up to a limit waits
/// here first until `margin` is left in both windows.
public enum AttemptWindows {
    public static func awayFromABoundary(margin: TimeInterval = 60) async throws {
        let now = Date().timeIntervalSince1970
        let left = [900.0, 3600.0].map { $0 - now.truncatingRemainder(dividingBy: $0) }.min()!
        if left < margin { try await Task.sleep(for: .milliseconds(Int64((left + 1) * 1000))) }
    }
}
