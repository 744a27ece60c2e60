import Foundation

/// The two media inputs the bridge owns in the live scene. While one shows the lead on top, the
/// other pre-rolls the next DJ underneath, muted.
enum Slot: String, CaseIterable, Sendable {
    case a = "A"
    case b = "B"

    var other: Slot { self == .a ? .b : .a }
}

/// What OBS reported in one round of reads.
struct ObservedOBS: Sendable, Equatable {
    var programScene: String?
    var scenes: Set<String> = []
    var canvasWidth = 1920
    var canvasHeight = 1080
    var slots: [Slot: ObservedSlot] = [:]
    /// Scene items in the live scene, bottom first (index 0), to keep overlays above our inputs.
    var liveSceneItemCount = 0
    var timerText: String?
    /// OBS's current scene transition; nil when it could not be read.
    var transitionName: String?
    var transitionMilliseconds: Int?
    /// The holding scene's bottom items the bridge keeps: the live scene nested (so OBS keeps
    /// drawing it while the holding scene is on air) under an opaque cover.
    var holdItems: HoldItems = HoldItems()

    struct HoldItems: Sendable, Equatable {
        var nestedLiveId: Int?
        var nestedLiveIndex: Int?
        var nestedLiveEnabled = false
        var coverExists = false
        var coverId: Int?
        var coverIndex: Int?
        var coverEnabled = false
    }

    func slot(_ slot: Slot) -> ObservedSlot { slots[slot] ?? ObservedSlot() }
}

struct ObservedSlot: Sendable, Equatable {
    var exists = false
    var sceneItemId: Int?
    var sceneItemIndex: Int?
    var enabled = false
    var url = ""
    var mediaState: String?
    var mediaCursor: Int?
    var muted: Bool?
}

/// What the bridge remembers between rounds: OBS itself cannot say whether an input is in its
/// reconnect wait, or whether its cursor is moving.
struct SlotMemory: Sendable, Equatable {
    /// When the bridge last loaded a URL into this slot.
    var loadedAt: Date?
    /// Until when the slot must not be touched (OBS may be sleeping `reconnect_delay_sec` in it).
    var untouchableUntil: Date?
    /// The last cursor seen, when it last moved, and whether the input counts as delivering a
    /// picture: its cursor moved recently. OBS updates the cursor in steps, so two quick reads
    /// may see the same value from a healthy stream; only a cursor still for `stallTolerance`
    /// means a frozen or absent picture.
    var lastCursor: Int?
    var lastAdvanceAt: Date?
    /// Since when the cursor has kept moving (reset when it stops or the input is reloaded).
    var advancingSince: Date?
    var advancing = false
    var reloads = 0
    /// When this input was last made visible: the one it replaces stays visible underneath for
    /// `ReconcilePolicy.overlap`, because OBS shows a newly visible input only from its next frame.
    var shownAt: Date?
    /// Whether the bridge has sized this input to the canvas on the current connection.
    var sized = false
}
