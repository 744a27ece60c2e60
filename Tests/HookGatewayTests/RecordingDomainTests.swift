import Foundation
import Shared
import Testing
@testable import HookGateway

struct RecordingNameTests {
    @Test(arguments: [
        ("Night Owl", "night-owl"),
        ("Zoë & the Night Owls!", "zoe-the-night-owls"),
        ("  DJ   ___  Spaces  ", "dj-spaces"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c:d", "a-b-c-d"),
        ("ＷＩＤＥ", "wide"),
        ("日本語", "dj"),
        ("", "dj"),
    ])
    func slugKeepsOnlyLettersDigitsAndSingleDashes(name: String, slug: String) {
        #expect(RecordingName.slug(name) == slug)
    }

    @Test func slugIsCappedAndNeverEndsInADash() {
        let slug = RecordingName.slug(String(repeating: "ab ", count: 40))
        #expect(slug.count <= RecordingName.slugLimit)
        #expect(!slug.hasSuffix("-"))
    }

    @Test func aDJNamedAfterTheirStreamKeyIsNamedDJ() {
        let key = "Xk29fPq8ZzLm03Rt"
        #expect(RecordingName.slug("my key is \(key)", avoiding: [key]) == "dj")
        #expect(RecordingName.slug(key, avoiding: [key]) == "dj")
        #expect(RecordingName.slug("Ada", avoiding: [key]) == "ada")
    }

    @Test func fileNameHasDateStartTimeSlugAndTurn() throws {
        let start = try #require(ISO8601DateFormatter().date(from: "2026-12-01T21:30:59Z"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(RecordingName.fileName(turnStartedAt: start, slug: "night-owl", turn: 12, timeZone: utc) == "2026-12-01_2130_night-owl_turn-12.mkv")
        #expect(RecordingName.fileName(turnStartedAt: start, slug: "night-owl", turn: 12, part: 2, timeZone: utc) == "2026-12-01_2130_night-owl_turn-12_part-2.mkv")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(RecordingName.fileName(turnStartedAt: start, slug: "ada", turn: 3, timeZone: berlin) == "2026-12-01_2230_ada_turn-3.mkv")
        #expect(RecordingName.alternative("2026-12-01_2130_ada_turn-3.mkv", number: 2) == "2026-12-01_2130_ada_turn-3_2.mkv")
        #expect(RecordingName.fileName(turnStartedAt: start, slug: RecordingName.slug(RecordingPlan.programmeName), turn: nil, timeZone: utc) == "2026-12-01_2130_programme.mkv")
    }

    @Test func idsAreThirtyTwoLowercaseHexDigits() {
        #expect(RecordingName.isValidID("0123456789abcdef0123456789abcdef"))
        #expect(!RecordingName.isValidID("0123456789ABCDEF0123456789ABCDEF"))
        #expect(!RecordingName.isValidID("../../../../etc/passwd"))
        #expect(!RecordingName.isValidID("0123456789abcdef0123456789abcde"))
        #expect(!RecordingName.isValidID(""))
    }
}

struct RecordingPlanTests {
    let ada = UUID()
    let started = Date(timeIntervalSince1970: 1_800_000_000)

    func state(lead: LineupEntry?, seq: UInt64 = 40) -> InternalQueueState {
        InternalQueueState(seq: seq, lead: lead, waiting: [], swapIntervalSeconds: 3600, paused: false)
    }

    func lead(grace: Date? = nil, sessions: Int = 1) -> LineupEntry {
        LineupEntry(
            userId: ada, djName: "Ada", joinedAt: started.addingTimeInterval(-60), turnStartedAt: started, turnEndsAt: started.addingTimeInterval(3600),
            graceEndsAt: grace, sessions: (0..<sessions).map { _ in SessionView(clientId: "c1", app: "live", stream: "ADAKEY0123456789", openedAt: started) }
        )
    }

    func turnStarted(seq: UInt64, user: UUID, at: Date) -> QueueEvent {
        QueueEvent(seq: seq, time: at, type: .turnStarted, payload: QueueEventPayload(userId: user, djName: "Ada", position: 0, startedAt: at))
    }

    @Test func theLeadOnAirIsRecordedNumberedByTheirTurnStartedEvent() throws {
        var numbers = TurnNumbers()
        numbers.learn([turnStarted(seq: 7, user: UUID(), at: started.addingTimeInterval(-100)), turnStarted(seq: 9, user: ada, at: started)])
        let jobs = RecordingPlan.jobs(state: state(lead: lead()), numbers: numbers)
        let job = try #require(jobs.first)
        #expect(jobs.count == 1)
        #expect(job.turn == 9)
        #expect(job.key == .init(userId: ada, turnStartedAt: started))
        #expect(job.pullURL(template: "rtmp://127.0.0.1:1935/{app}/{stream}") == "rtmp://127.0.0.1:1935/live/ADAKEY0123456789")
    }

    @Test func aTurnThatBeganBeforeTheLogWasFollowedIsNumberedByTheStatesSeq() {
        #expect(RecordingPlan.jobs(state: state(lead: lead(), seq: 55), numbers: TurnNumbers()).first?.turn == 55)
    }

    @Test func nothingIsRecordedWithoutALeadWithAStreamOrDuringTheirReconnectGrace() {
        #expect(RecordingPlan.jobs(state: state(lead: nil), numbers: TurnNumbers()).isEmpty)
        #expect(RecordingPlan.jobs(state: state(lead: lead(grace: started.addingTimeInterval(10))), numbers: TurnNumbers()).isEmpty)
        #expect(RecordingPlan.jobs(state: state(lead: lead(sessions: 0)), numbers: TurnNumbers()).isEmpty)
    }

    /// The DJ up next is pre-rolled only while someone leads and they are connected; their pre-roll
    /// becomes the turn's recording only if the turn pulls the same stream.
    @Test func theNextConnectedDJIsPreRolledWhileSomeoneLeads() throws {
        let bo = UUID()
        func waiting(grace: Date? = nil) -> LineupEntry {
            LineupEntry(
                userId: bo, djName: "Bo", joinedAt: started, turnStartedAt: nil, turnEndsAt: nil, graceEndsAt: grace,
                sessions: [SessionView(clientId: "c2", app: "live", stream: "BOKEY0123456789", openedAt: started)]
            )
        }
        func lineup(lead: LineupEntry?, next: LineupEntry) -> InternalQueueState {
            InternalQueueState(seq: 40, lead: lead, waiting: [next], swapIntervalSeconds: 3600, paused: false)
        }
        let standby = try #require(RecordingPlan.standby(state: lineup(lead: lead(), next: waiting())))
        #expect(standby == StandbyJob(userId: bo, djName: "Bo", app: "live", stream: "BOKEY0123456789"))
        #expect(RecordingPlan.standby(state: lineup(lead: nil, next: waiting())) == nil)
        #expect(RecordingPlan.standby(state: lineup(lead: lead(), next: waiting(grace: started.addingTimeInterval(5)))) == nil)
        #expect(RecordingPlan.standby(state: state(lead: lead())) == nil)

        var boLeads = waiting()
        boLeads.turnStartedAt = started
        let turn = try #require(RecordingPlan.jobs(state: state(lead: boLeads), numbers: TurnNumbers()).first)
        #expect(standby.matches(turn))
        boLeads.sessions[0].stream = "BOKEY_ROTATED_0123"
        #expect(!standby.matches(try #require(RecordingPlan.jobs(state: state(lead: boLeads), numbers: TurnNumbers()).first)))
    }

    @Test func theSameTurnAfterAReconnectHasTheSameKey() {
        let before = RecordingPlan.jobs(state: state(lead: lead(), seq: 40), numbers: TurnNumbers()).first?.key
        let after = RecordingPlan.jobs(state: state(lead: lead(), seq: 44), numbers: TurnNumbers()).first?.key
        #expect(before != nil && before == after)
    }

    /// `RECORD_PROGRAMME`: the programme while it is published, as one recording without a DJ,
    /// the same one for as long as it lasts.
    @Test func theProgrammeIsRecordedAsOneRecordingWithoutADJ() throws {
        #expect(RecordingPlan.programme(nil, since: started) == nil)
        let job = try #require(RecordingPlan.programme(ProgrammeFeed(app: "programme", stream: "PROGRAMME-KEY-0123456789"), since: started))
        #expect(job.key == RecordingJob.TurnKey(userId: nil, turnStartedAt: started))
        #expect(job.turn == nil && job.djName == "Programme")
        #expect(job.pullURL(template: "rtmp://127.0.0.1:1935/{app}/{stream}") == "rtmp://127.0.0.1:1935/programme/PROGRAMME-KEY-0123456789")
        #expect(!RecordingName.slug(job.djName, avoiding: [job.stream]).contains("key"))
    }

    @Test func turnNumbersForgetOldTurns() {
        var numbers = TurnNumbers()
        numbers.learn((1...100).map { turnStarted(seq: UInt64($0), user: ada, at: started.addingTimeInterval(Double($0))) })
        #expect(numbers.number(userId: ada, startedAt: started.addingTimeInterval(100), fallback: 0) == 100)
        #expect(numbers.number(userId: ada, startedAt: started.addingTimeInterval(1), fallback: 0) == 0)
    }

    func recording(endedDaysAgo days: Double?, startedDaysAgo: Double, now: Date) -> RecordingView {
        RecordingView(
            id: UUID().uuidString, userId: ada, djName: "Ada", turn: 1, startedAt: now.addingTimeInterval(-startedDaysAgo * 86_400),
            endedAt: days.map { now.addingTimeInterval(-$0 * 86_400) }, bytes: 1, durationSeconds: 1, fileName: "x.mkv"
        )
    }

    @Test func retentionPicksWhatEndedBeforeTheCutoffAndNothingWhenZero() {
        let now = Date()
        let old = recording(endedDaysAgo: 31, startedDaysAgo: 31.1, now: now)
        let young = recording(endedDaysAgo: 29, startedDaysAgo: 40, now: now)
        let neverClosed = recording(endedDaysAgo: nil, startedDaysAgo: 35, now: now)
        #expect(RecordingPlan.expired([old, young, neverClosed], now: now, days: 30).map(\.id) == [old.id, neverClosed.id])
        #expect(RecordingPlan.expired([old, young, neverClosed], now: now, days: 0).isEmpty)
    }

    @Test func roomMeansAtLeastTheMinimumFreeAndAnUnknownDiskHasNone() {
        #expect(RecordingPlan.hasRoom(free: 2_000, minimum: 1_000))
        #expect(RecordingPlan.hasRoom(free: 1_000, minimum: 1_000))
        #expect(!RecordingPlan.hasRoom(free: 999, minimum: 1_000))
        #expect(!RecordingPlan.hasRoom(free: nil, minimum: 0))
    }
}

struct RecordingByteRangeTests {
    @Test(arguments: [
        ("bytes=0-99", RecordingByteRange.part(0...99)),
        ("bytes=100-", .part(100...999)),
        ("bytes=-100", .part(900...999)),
        ("bytes=-5000", .part(0...999)),
        ("bytes=990-5000", .part(990...999)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=1000-1001", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=5-1", .whole),
        ("bytes=0-1,5-6", .whole),
        ("items=0-1", .whole),
        ("bytes=a-b", .whole),
        ("bytes=--1", .whole),
    ])
    func rangesOfAThousandBytes(header: String, expected: RecordingByteRange) {
        #expect(RecordingByteRange(header: header, size: 1000) == expected)
    }

    @Test func noHeaderIsTheWholeFileAndAnEmptyFileHasNoRange() {
        #expect(RecordingByteRange(header: nil, size: 10) == .whole)
        #expect(RecordingByteRange(header: "bytes=0-", size: 0) == .unsatisfiable)
    }
}
