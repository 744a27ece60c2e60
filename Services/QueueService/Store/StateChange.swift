import Foundation

/// What one journal record says about the state when it does not write it whole: only what
/// changed since the record before. Under publish churn the whole state (every session, every
/// waiting DJ) was encoded on each commit, 27 % of QueueService's time, while a commit changes
/// one or two entries of it.
///
/// A change is written only when it is known to say exactly the new state: `between` applies
/// what it found to the old state and compares. Anything it cannot say — a field added to
/// `QueueState` and not here, a DJ moved to another position — makes it nil, and the record
/// then carries the whole state, as every record did before.
struct StateChange: Codable, Equatable, Sendable {
    var sessions: ListEdit<PublisherSession>?
    var lead: Replacement<Lead>?
    var waiting: ListEdit<WaitingDJ>?
    var lastSeq: UInt64?
    var swapInterval: Double?
    var paused: Bool?
    var blockEnabled: Bool?
    var blockedDJ: Replacement<BlockedDJ>?
    var pendingKicks: ListEdit<PendingKick>?
    var broadcast: Replacement<Broadcast>?

    /// How `old` became `new`, or nil when that cannot be said more briefly than `new` itself.
    static func between(_ old: QueueState, _ new: QueueState) -> StateChange? {
        var change = StateChange()
        if old.sessions != new.sessions {
            guard let edit = ListEdit(from: old.sessions, to: new.sessions, key: \.clientId) else { return nil }
            change.sessions = edit
        }
        if old.lead != new.lead { change.lead = Replacement(new.lead) }
        if old.waiting != new.waiting {
            guard let edit = ListEdit(from: old.waiting, to: new.waiting, key: \.userId) else { return nil }
            change.waiting = edit
        }
        if old.lastSeq != new.lastSeq { change.lastSeq = new.lastSeq }
        if old.swapInterval != new.swapInterval { change.swapInterval = new.swapInterval }
        if old.paused != new.paused { change.paused = new.paused }
        if old.blockEnabled != new.blockEnabled { change.blockEnabled = new.blockEnabled }
        if old.blockedDJ != new.blockedDJ { change.blockedDJ = Replacement(new.blockedDJ) }
        if old.pendingKicks != new.pendingKicks {
            guard let edit = ListEdit(from: old.pendingKicks, to: new.pendingKicks, key: \.clientId) else { return nil }
            change.pendingKicks = edit
        }
        if old.broadcast != new.broadcast { change.broadcast = Replacement(new.broadcast) }
        guard (try? change.applied(to: old)) == new else { return nil }
        return change
    }

    /// The state this change leads to from `state`; throws when it does not fit (a damaged journal).
    func applied(to state: QueueState) throws(ChangeMisfit) -> QueueState {
        var state = state
        if let sessions { state.sessions = try sessions.applied(to: state.sessions) }
        if let lead { state.lead = lead.value }
        if let waiting { state.waiting = try waiting.applied(to: state.waiting) }
        if let lastSeq { state.lastSeq = lastSeq }
        if let swapInterval { state.swapInterval = swapInterval }
        if let paused { state.paused = paused }
        if let blockEnabled { state.blockEnabled = blockEnabled }
        if let blockedDJ { state.blockedDJ = blockedDJ.value }
        if let pendingKicks { state.pendingKicks = try pendingKicks.applied(to: state.pendingKicks) }
        if let broadcast { state.broadcast = broadcast.value }
        return state
    }
}

/// A recorded change that cannot apply to the state before it — a position past the end or out
/// of order: only a damaged journal has one.
struct ChangeMisfit: Error, CustomStringConvertible {
    var description: String { "a recorded change does not fit the state before it" }
}

/// An optional field's new value, nil included: `{"value": null}` says "cleared", where an
/// absent `Replacement` says "unchanged".
struct Replacement<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    var value: Value?

    init(_ value: Value?) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decodeIfPresent(Value.self, forKey: .value)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)  // null when cleared, never left out
    }

    private enum CodingKeys: String, CodingKey { case value }
}

/// A list changed the way the queue's lists change: entries gone from anywhere, entries changed
/// where they stand, new ones at the end. Positions, not keys, so applying it needs nothing but
/// the list; the key only tells, while diffing, which old entry a new one is.
struct ListEdit<Element: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    /// Positions in the old list of the entries gone, ascending.
    var removed: [Int] = []
    /// Entries changed in place, by their position once the removed ones are gone.
    var changed: [Changed] = []
    var appended: [Element] = []

    struct Changed: Codable, Equatable, Sendable {
        var at: Int
        var to: Element
    }

    init(removed: [Int] = [], changed: [Changed] = [], appended: [Element] = []) {
        self.removed = removed
        self.changed = changed
        self.appended = appended
    }

    /// Nil when `new` is not `old` with entries removed, changed in place and appended.
    init?<Key: Hashable>(from old: [Element], to new: [Element], key: (Element) -> Key) {
        let present = Set(new.map(key))
        var kept: [Element] = []
        kept.reserveCapacity(old.count)
        for (index, entry) in old.enumerated() {
            if present.contains(key(entry)) { kept.append(entry) } else { removed.append(index) }
        }
        guard new.count >= kept.count else { return nil }
        for (index, entry) in kept.enumerated() {
            guard key(new[index]) == key(entry) else { return nil }
            if new[index] != entry { changed.append(Changed(at: index, to: new[index])) }
        }
        appended = Array(new[kept.count...])
    }

    func applied(to list: [Element]) throws(ChangeMisfit) -> [Element] {
        var result: [Element] = []
        result.reserveCapacity(list.count - removed.count + appended.count)
        var gone = removed.makeIterator()
        var nextGone = gone.next()
        for (index, entry) in list.enumerated() {
            if index == nextGone {
                let following = gone.next()
                if let following, following <= index { throw ChangeMisfit() }
                nextGone = following
            } else {
                result.append(entry)
            }
        }
        guard nextGone == nil else { throw ChangeMisfit() }
        for edit in changed {
            guard result.indices.contains(edit.at) else { throw ChangeMisfit() }
            result[edit.at] = edit.to
        }
        return result + appended
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        removed = try container.decodeIfPresent([Int].self, forKey: .removed) ?? []
        changed = try container.decodeIfPresent([Changed].self, forKey: .changed) ?? []
        appended = try container.decodeIfPresent([Element].self, forKey: .appended) ?? []
    }

    /// Empty parts are left out: most edits are one entry removed or appended.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !removed.isEmpty { try container.encode(removed, forKey: .removed) }
        if !changed.isEmpty { try container.encode(changed, forKey: .changed) }
        if !appended.isEmpty { try container.encode(appended, forKey: .appended) }
    }

    private enum CodingKeys: String, CodingKey { case removed, changed, appended }
}
