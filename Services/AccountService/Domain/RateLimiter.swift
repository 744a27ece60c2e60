import Foundation

/// Attempt limits by key (an IP address, an account) in this process's memory — for one
/// AccountService on SQLite; replicas on PostgreSQL count in the database instead, with the same
/// `AttemptWindow` arithmetic. A value: the caller keeps it in an actor and says what time it is.
///
/// Its keys are chosen by strangers, so it is bounded: at most `capacity` keys, each kept as a
/// 16-byte digest, and every attempt costs the same few steps however many keys there are — one
/// lookup, at most one eviction, one move to the front of a list. The least recently tried key
/// is evicted first, except that a key which has used half its limit or more moves to a
/// protected segment (a quarter of the capacity) that keys tried once cannot flush: a flood of
/// fresh keys does not buy new attempts at an account someone is already hammering.
struct RateLimiter: Sendable {
    struct Rule: Sendable, Equatable {
        var limit: Int
        var window: TimeInterval
    }

    /// About 100 bytes a key: 6.5 MB at most.
    static let defaultCapacity = 65_536

    private struct Entry {
        var digest: AttemptDigest
        var window: Int64
        var current: Int32 = 0
        var previous: Int32 = 0
        var isProtected = false
        /// Neighbours in its segment's list, by index into `entries` (-1: none).
        var newer: Int32 = -1
        var older: Int32 = -1
    }

    /// A doubly linked list through `entries`, most recently tried first.
    private struct Segment {
        var newest: Int32 = -1
        var oldest: Int32 = -1
        var count = 0
    }

    let capacity: Int
    private var slots: [AttemptDigest: Int32] = [:]
    private var entries: [Entry] = []
    private var probation = Segment()
    private var protected = Segment()

    init(capacity: Int = Self.defaultCapacity) {
        precondition(capacity >= 4, "a limiter holds at least 4 keys")
        self.capacity = capacity
        slots.reserveCapacity(capacity)
        entries.reserveCapacity(capacity)
    }

    /// How many keys it holds now (never more than `capacity`).
    var count: Int { slots.count }

    /// Records an attempt and returns nil if it is allowed, or how many seconds until one would be.
    /// A refused attempt is not counted.
    mutating func attempt(_ key: String, rule: Rule, now: Date) -> TimeInterval? {
        let window = AttemptWindow(now: now, rule: rule)
        let digest = AttemptDigest(key)
        let slot = slots[digest] ?? admit(digest, window: window.index)
        let index = Int(slot)
        switch window.index - entries[index].window {
        case ...0: break
        case 1: (entries[index].previous, entries[index].current) = (entries[index].current, 0)
        default: (entries[index].previous, entries[index].current) = (0, 0)
        }
        entries[index].window = max(entries[index].window, window.index)
        let (current, previous) = (Int(entries[index].current), Int(entries[index].previous))
        guard window.allows(current: current, previous: previous) else {
            touch(slot, protect: true)
            return window.retryAfter(current: current, previous: previous)
        }
        entries[index].current += 1
        touch(slot, protect: 2 * (current + 1) >= rule.limit)
        return nil
    }

    /// A slot for a key not held yet: a new one while there is room, else the least recently tried
    /// key's (from the unprotected segment while it has any).
    private mutating func admit(_ digest: AttemptDigest, window: Int64) -> Int32 {
        let slot: Int32
        if entries.count < capacity {
            entries.append(Entry(digest: digest, window: window))
            slot = Int32(entries.count - 1)
        } else {
            slot = probation.oldest >= 0 ? probation.oldest : protected.oldest
            unlink(slot)
            slots[entries[Int(slot)].digest] = nil
            entries[Int(slot)] = Entry(digest: digest, window: window)
        }
        slots[digest] = slot
        pushNewest(slot)
        return slot
    }

    /// Moves the key to the front of its segment (the protected one once it is hammered); a full
    /// protected segment hands its least recent key back to the other.
    private mutating func touch(_ slot: Int32, protect: Bool) {
        unlink(slot)
        entries[Int(slot)].isProtected = entries[Int(slot)].isProtected || protect
        pushNewest(slot)
        if protected.count > capacity / 4 {
            let demoted = protected.oldest
            unlink(demoted)
            entries[Int(demoted)].isProtected = false
            pushNewest(demoted)
        }
    }

    private mutating func pushNewest(_ slot: Int32) {
        let index = Int(slot)
        var segment = entries[index].isProtected ? protected : probation
        entries[index].older = segment.newest
        entries[index].newer = -1
        if segment.newest >= 0 { entries[Int(segment.newest)].newer = slot }
        segment.newest = slot
        if segment.oldest < 0 { segment.oldest = slot }
        segment.count += 1
        if entries[index].isProtected { protected = segment } else { probation = segment }
    }

    private mutating func unlink(_ slot: Int32) {
        let entry = entries[Int(slot)]
        var segment = entry.isProtected ? protected : probation
        if entry.newer >= 0 { entries[Int(entry.newer)].older = entry.older } else { segment.newest = entry.older }
        if entry.older >= 0 { entries[Int(entry.older)].newer = entry.newer } else { segment.oldest = entry.newer }
        segment.count -= 1
        if entry.isProtected { protected = segment } else { probation = segment }
    }
}

extension RateLimiter.Rule {
    /// Logging in, by API or form: the two share their counters.
    static let loginPerIP = Self(limit: 20, window: 15 * 60)
    /// Per account and address: someone guessing from one place uses up only their own tries,
    /// never the owner's (a per-account limit let anyone who knew a DJ's email lock them out).
    static let loginPerAccount = Self(limit: 8, window: 15 * 60)
    /// Per account from every address: past this the account is being guessed from many places,
    /// and only an address that has not tried it in the window gets through (`loginFirstTry`).
    static let loginPerAccountEverywhere = Self(limit: 40, window: 15 * 60)
    static let loginFirstTry = Self(limit: 1, window: 15 * 60)
    /// Asking for a reset link.
    static let resetPerIP = Self(limit: 5, window: 3600)
    static let resetPerAccount = Self(limit: 3, window: 3600)
    /// Setting a new password with a mailed link (the token names no account before it is checked).
    static let newPasswordPerIP = Self(limit: 10, window: 3600)
    /// Signing up, by API or form: each costs a full Argon2 hash. Generous per address, since a
    /// whole venue may sign up from behind one.
    static let signupPerIP = Self(limit: 60, window: 3600)
    static let signupPerEmail = Self(limit: 5, window: 3600)
    /// The settings forms that ask for the current password (change it, delete the account).
    static let passwordCheckPerIP = Self(limit: 20, window: 15 * 60)
    static let passwordCheckPerAccount = Self(limit: 8, window: 15 * 60)
}

/// Every door that checks or sets a password (or mails a reset link), with what it is counted by.
enum AttemptDoor: Sendable {
    case logIn(client: String, email: String)
    case signUp(client: String, email: String)
    case passwordCheck(client: String, userId: UUID)
    case newPassword(client: String)
    case resetMail(client: String, email: String)

    /// Counted after `checks` allowed the attempt: whether this address tries the account for the
    /// first time in the window, and every attempt on it from anywhere; once those are spent, only
    /// a first try gets through.
    var spread: (everywhere: (key: String, rule: RateLimiter.Rule), firstTry: (key: String, rule: RateLimiter.Rule))? {
        guard case .logIn(let client, let email) = self else { return nil }
        return (("login-all:\(email.uniquenessKey)", .loginPerAccountEverywhere), ("login-first:\(email.uniquenessKey)|\(client)", .loginFirstTry))
    }

    /// In order: a refusal by the first stops the second from being counted.
    var checks: [(key: String, rule: RateLimiter.Rule)] {
        switch self {
        case .logIn(let client, let email): [("login-ip:\(client)", .loginPerIP), ("login:\(email.uniquenessKey)|\(client)", .loginPerAccount)]
        case .signUp(let client, let email): [("signup-ip:\(client)", .signupPerIP), ("signup:\(email.uniquenessKey)", .signupPerEmail)]
        case .passwordCheck(let client, let userId): [("password-ip:\(client)", .passwordCheckPerIP), ("password:\(userId.uuidString.lowercased())", .passwordCheckPerAccount)]
        case .newPassword(let client): [("new-password-ip:\(client)", .newPasswordPerIP)]
        case .resetMail(let client, let email): [("reset-ip:\(client)", .resetPerIP), ("reset:\(email.uniquenessKey)", .resetPerAccount)]
        }
    }
}
