import Foundation
import Shared

/// The admin's side of the outputs: the targets as they read back (the key only as its hint,
/// each with its relay's status) and the changes to them. A change is saved before the relays
/// hear of it, and the relays hear of it from the store.
struct OutputDesk: Sendable {
    let store: OutputTargetStore
    let relays: any RelayReports
    let broadcast: any BroadcastReporting
    let source: OutputSource

    func overview() async throws -> OutputsOverview {
        let reports = await relays.relayReports()
        let targets = try await store.readable().map { $0.view(reports[$0.id]) }
        return OutputsOverview(source: source.rawValue, sourceLive: await broadcast.isLive(), targets: targets)
    }

    func add(_ input: OutputTargetInput) async throws -> OutputTargetView {
        let target = try OutputTarget(id: UUID(), input: input)
        try await store.insert(target)
        return target.view(nil)
    }

    func update(_ id: UUID, with input: OutputTargetInput) async throws -> OutputTargetView {
        let target = try await store.update(id) { try $0.applying(input) }
        return target.view(await relays.relayReports()[id])
    }

    func remove(_ id: UUID) async throws {
        try await store.delete(id)
    }
}
