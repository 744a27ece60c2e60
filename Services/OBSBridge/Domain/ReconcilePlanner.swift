import Foundation

/// The names and timings the planner works with (from the environment).
struct ReconcilePolicy: Sendable, Equatable {
    var liveScene = "MOTHERSTREAM"
    var holdScene = "BRB"
    var inputNames: [Slot: String] = [.a: "Motherstream Lead A", .b: "Motherstream Lead B"]
    /// What the bridge sets as `reconnect_delay_sec` on its inputs; also how long an input that
    /// may be in its reconnect wait is left alone.
    var reconnectDelay: TimeInterval = 1
    /// How long a freshly loaded lead may take to deliver a picture before it is loaded again.
    var pictureTimeout: TimeInterval = 8
    /// An optional text source that shows the time left in the turn.
    var timerSource: String?
    /// How long a cursor may stand still before the picture counts as frozen.
    var stallTolerance: TimeInterval = 1.5
    /// Coming from the holding scene, how long the lead must have delivered before the cut
    /// (measured on OBS 29: cutting as soon as the cursor moved showed up to 0.7 s of black).
    var warmUp: TimeInterval = 0.8

    func inputName(_ slot: Slot) -> String { inputNames[slot] ?? slot.rawValue }

    /// The opaque card the bridge keeps over the nested live scene at the bottom of the holding scene.
    var coverName: String { "\(inputNames[.a]?.replacingOccurrences(of: " A", with: "") ?? "Motherstream") Cover" }

    /// Passed to the input's demuxer (`OBS_FFMPEG_OPTIONS`). FFmpeg's default probe reads up to
    /// 5 s of a live stream before the first picture; half a second finds an RTMP stream's audio
    /// and video (measured on OBS 29: first picture 4–6.5 s → about 1 s).
    var ffmpegOptions = "analyzeduration=500000"
    /// The scene transition for the cuts between the holding and the live scene (`OBS_TRANSITION`).
    var transition: SceneTransition = .cut

    /// Settings for a bridge-owned input: a network stream, a short reconnect delay, and kept
    /// playing while not on top (`restart_on_activate: false`) so the next DJ can be pre-rolled.
    func inputSettings(url: String) -> JSONValue {
        [
            "is_local_file": false, "input": .string(url), "reconnect_delay_sec": .number(reconnectDelay),
            "restart_on_activate": false, "close_when_inactive": false, "ffmpeg_options": .string(ffmpegOptions),
        ]
    }
}

/// One reconcile step: the requests that close the gap between desired and observed, in order,
/// and what the bridge should remember for the next step.
struct ReconcilePlan: Sendable, Equatable {
    var requests: [OBSRequest] = []
    var memory: [Slot: SlotMemory]
    /// True while the programme is converging (a lead loading, an input in its reconnect wait):
    /// observe again soon rather than wait for the next queue event.
    var converging = false
}

/// Desired × observed → requests. Pure: the same inputs always give the same plan.
///
/// Both inputs stay visible in the live scene, filling the canvas, one on top of the other: the
/// lead on top and unmuted, the next DJ underneath and muted — hidden and inaudible on the
/// programme, yet drawn every frame. A handover is then a reorder plus a mute swap, and the
/// incoming picture is already fresh. (Toggling visibility instead was measured on OBS 29 to
/// show black, then a stale frame, for up to 0.7 s after an input became visible.)
enum ReconcilePlanner {
    /// Folds a new observation into memory: is each input's cursor moving, did it stop?
    static func remember(_ observed: ObservedOBS, in memory: [Slot: SlotMemory], now: Date, policy: ReconcilePolicy) -> [Slot: SlotMemory] {
        var memory = memory
        for slot in Slot.allCases {
            var slotMemory = memory[slot] ?? SlotMemory()
            let seen = observed.slot(slot)
            let cursor = seen.mediaCursor
            // Moving from one frame's time to a later one, not from nothing to the first frame: OBS
            // draws an input's previous frame until the frame after the first new one arrives
            // (measured on OBS 29: at the first cursor value a reused input still showed the stream
            // it held before, one frame later the new one), so the first value proves nothing yet.
            if seen.mediaState == "OBS_MEDIA_STATE_PLAYING", let cursor, let last = slotMemory.lastCursor, last > 0, cursor > last {
                slotMemory.lastAdvanceAt = now
            } else if seen.mediaState != "OBS_MEDIA_STATE_PLAYING" || (cursor ?? 0) < (slotMemory.lastCursor ?? 0) {
                slotMemory.lastAdvanceAt = nil
            }
            slotMemory.advancing = slotMemory.lastAdvanceAt.map { now.timeIntervalSince($0) < policy.stallTolerance } ?? false
            slotMemory.advancingSince = slotMemory.advancing ? (slotMemory.advancingSince ?? now) : nil
            slotMemory.lastCursor = cursor
            if seen.mediaState == "OBS_MEDIA_STATE_ENDED" || seen.mediaState == "OBS_MEDIA_STATE_ERROR" {
                // A stream that stopped sends OBS into its reconnect sleep; touching the input then
                // freezes OBS's video thread (obs-headless.md P2).
                let until = now.addingTimeInterval(policy.reconnectDelay + 0.5)
                slotMemory.untouchableUntil = max(slotMemory.untouchableUntil ?? until, until)
            }
            memory[slot] = slotMemory
        }
        return memory
    }

    static func plan(desired: DesiredProgram, observed: ObservedOBS, memory: [Slot: SlotMemory], now: Date, policy: ReconcilePolicy) -> ReconcilePlan {
        var plan = ReconcilePlan(memory: memory)
        guard ensureInputs(observed: observed, policy: policy, plan: &plan) else { return plan }

        let top = topSlot(observed)
        var wantLive = false
        var leadSlot: Slot?
        if let leadURL = desired.leadURL {
            leadSlot = Slot.allCases.first { observed.slot($0).url == leadURL }
            if let slot = leadSlot {
                if desired.leadStalled {
                    // Left as it is: the encoder is still connected and may resume, and a reload
                    // would only lose the stream. The picture timeout counts from the recovery.
                    plan.memory[slot, default: SlotMemory()].loadedAt = now
                } else if plan.memory[slot]?.advancing == true {
                    // The lead delivers: on top, unmuted; the other underneath, muted. From the
                    // holding scene, cut once the lead has delivered for the warm-up.
                    if top != slot { plan.requests.append(move(slot, aboveOf: slot.other, observed, policy)) }
                    let warm = now.timeIntervalSince(plan.memory[slot]?.advancingSince ?? now) >= policy.warmUp
                    wantLive = observed.programScene == policy.liveScene || warm
                    if !wantLive { plan.converging = true }
                } else {
                    plan.converging = true
                    // Meanwhile the picture on top stays while it still moves; otherwise the holding scene.
                    wantLive = top == slot.other && (plan.memory[slot.other]?.advancing ?? false)
                    let memory = plan.memory[slot] ?? SlotMemory()
                    if let loaded = memory.loadedAt, now.timeIntervalSince(loaded) >= policy.pictureTimeout, touchable(slot, plan.memory, now) {
                        load(slot, url: leadURL, reload: true, policy: policy, now: now, plan: &plan)
                    } else if memory.loadedAt == nil {
                        // Found holding the URL without having loaded it here (the bridge restarted):
                        // give it the full timeout from now.
                        plan.memory[slot, default: SlotMemory()].loadedAt = now
                    }
                }
            } else {
                plan.converging = true
                // Load into the input underneath, keeping whatever is on top on the programme.
                let target = top?.other ?? .a
                wantLive = top != nil && (plan.memory[top!]?.advancing ?? false)
                if touchable(target, plan.memory, now) {
                    load(target, url: leadURL, reload: false, policy: policy, now: now, plan: &plan)
                    leadSlot = target
                }
            }
        }

        // A stalled lead's frozen picture is never the programme; the holding scene covers it
        // (with the live scene nested beneath, so the cut back on recovery is never black).
        if desired.leadStalled { wantLive = false }

        if let nextURL = desired.nextURL, !Slot.allCases.contains(where: { observed.slot($0).url == nextURL }) {
            let candidates = Slot.allCases.filter { $0 != leadSlot && !(wantLive && $0 == top) }
            if let slot = candidates.first(where: { touchable($0, plan.memory, now) }) {
                load(slot, url: nextURL, reload: false, policy: policy, now: now, plan: &plan)
            } else if !candidates.isEmpty {
                plan.converging = true
            }
        }

        // An input pulling a stream nobody needs any more is emptied: it costs OBS a decoder,
        // and a departed DJ's stream only sends it round its reconnect loop.
        let needed = Set([desired.leadURL, desired.nextURL, desired.resumingURL].compactMap { $0 })
        for slot in Slot.allCases where !observed.slot(slot).url.isEmpty && !needed.contains(observed.slot(slot).url)
            && !(wantLive && slot == top) && slot != leadSlot && touchable(slot, plan.memory, now)
            && !plan.requests.contains(where: { $0.data?["inputName"]?.string == policy.inputName(slot) }) {
            load(slot, url: "", reload: false, policy: policy, now: now, plan: &plan)
        }

        // Only the input on top is heard, and nothing while the holding scene is on (the live
        // scene is nested in it, drawn under a cover, so that cutting back is never black).
        let audible = wantLive ? plan.requests.last(where: { $0.type == "SetSceneItemIndex" }).flatMap { request in
            Slot.allCases.first { observed.slot($0).sceneItemId == request.data?["sceneItemId"]?.int }
        } ?? top : nil
        for slot in Slot.allCases {
            let muted = slot != audible
            if observed.slot(slot).muted != muted {
                plan.requests.append(OBSRequest("SetInputMute", ["inputName": .string(policy.inputName(slot)), "inputMuted": .bool(muted)]))
            }
        }

        if let timer = policy.timerSource {
            let text = desired.timerText(now: now)
            if observed.timerText != text {
                plan.requests.append(OBSRequest("SetInputSettings", ["inputName": .string(timer), "inputSettings": ["text": .string(text)]]))
            }
        }

        let scene = wantLive ? policy.liveScene : policy.holdScene
        if observed.transitionName != nil, observed.transitionName != policy.transition.name {
            plan.requests.append(OBSRequest("SetCurrentSceneTransition", ["transitionName": .string(policy.transition.name)]))
        }
        if let milliseconds = policy.transition.milliseconds, observed.transitionMilliseconds != milliseconds {
            plan.requests.append(OBSRequest("SetCurrentSceneTransitionDuration", ["transitionDuration": .number(Double(milliseconds))]))
        }
        if observed.programScene != scene {
            plan.requests.append(OBSRequest("SetCurrentProgramScene", ["sceneName": .string(scene)]))
        }
        return plan
    }

    /// The bridge's input drawn over the other, if any is visible.
    static func topSlot(_ observed: ObservedOBS) -> Slot? {
        Slot.allCases.filter { observed.slot($0).enabled }.max { (observed.slot($0).sceneItemIndex ?? 0) < (observed.slot($1).sceneItemIndex ?? 0) }
    }

    /// Scenes and both inputs exist, visible, sized to the canvas and below everything else.
    /// Returns false while they are being created.
    private static func ensureInputs(observed: ObservedOBS, policy: ReconcilePolicy, plan: inout ReconcilePlan) -> Bool {
        for scene in [policy.liveScene, policy.holdScene] where !observed.scenes.contains(scene) {
            plan.requests.append(OBSRequest("CreateScene", ["sceneName": .string(scene)]))
        }
        for slot in Slot.allCases where !observed.slot(slot).exists {
            plan.requests.append(OBSRequest("CreateInput", [
                "sceneName": .string(policy.liveScene), "inputName": .string(policy.inputName(slot)), "inputKind": "ffmpeg_source",
                "inputSettings": policy.inputSettings(url: ""), "sceneItemEnabled": true,
            ]))
        }
        for slot in Slot.allCases where observed.slot(slot).exists && observed.slot(slot).sceneItemId == nil && observed.scenes.contains(policy.liveScene) {
            // The input survived (e.g. someone deleted it from the scene): put it back.
            plan.requests.append(OBSRequest("CreateSceneItem", [
                "sceneName": .string(policy.liveScene), "sourceName": .string(policy.inputName(slot)), "sceneItemEnabled": true,
            ]))
        }
        if observed.scenes.contains(policy.holdScene) {
            if !observed.holdItems.coverExists {
                plan.requests.append(OBSRequest("CreateInput", [
                    "sceneName": .string(policy.holdScene), "inputName": .string(policy.coverName), "inputKind": "color_source_v3",
                    "inputSettings": ["color": .number(Double(0xFF00_0000)), "width": .number(Double(observed.canvasWidth)), "height": .number(Double(observed.canvasHeight))],
                    "sceneItemEnabled": false,
                ]))
            }
            if observed.holdItems.nestedLiveId == nil && observed.scenes.contains(policy.liveScene) {
                plan.requests.append(OBSRequest("CreateSceneItem", [
                    "sceneName": .string(policy.holdScene), "sourceName": .string(policy.liveScene), "sceneItemEnabled": false,
                ]))
            }
        }
        guard plan.requests.isEmpty else {
            plan.converging = true
            return false
        }
        // Bottom of the holding scene: the nested live scene, then the cover, then the operator's
        // card. Created hidden (they land on top), shown once they sit at the bottom.
        let hold = observed.holdItems
        for (id, index, enabled, place) in [(hold.nestedLiveId, hold.nestedLiveIndex, hold.nestedLiveEnabled, 0), (hold.coverId, hold.coverIndex, hold.coverEnabled, 1)] {
            guard let id else { continue }
            if index != place {
                plan.requests.append(OBSRequest("SetSceneItemIndex", ["sceneName": .string(policy.holdScene), "sceneItemId": .number(Double(id)), "sceneItemIndex": .number(Double(place))]))
            } else if !enabled {
                plan.requests.append(OBSRequest("SetSceneItemEnabled", ["sceneName": .string(policy.holdScene), "sceneItemId": .number(Double(id)), "sceneItemEnabled": true]))
            }
        }
        for slot in Slot.allCases {
            guard let id = observed.slot(slot).sceneItemId else { continue }
            if !observed.slot(slot).enabled {
                plan.requests.append(OBSRequest("SetSceneItemEnabled", [
                    "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(id)), "sceneItemEnabled": true,
                ]))
            }
            if !(plan.memory[slot]?.sized ?? false) {
                // Fill the canvas (cropping rather than letterboxing), so the input on top
                // covers the one underneath completely.
                plan.requests.append(OBSRequest("SetSceneItemTransform", [
                    "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(id)),
                    "sceneItemTransform": [
                        "positionX": 0, "positionY": 0, "alignment": 5, "boundsType": "OBS_BOUNDS_SCALE_OUTER", "boundsAlignment": 0,
                        "boundsWidth": .number(Double(observed.canvasWidth)), "boundsHeight": .number(Double(observed.canvasHeight)),
                    ],
                ]))
                plan.memory[slot, default: SlotMemory()].sized = true
            }
            if let index = observed.slot(slot).sceneItemIndex, index > 1 {
                plan.requests.append(OBSRequest("SetSceneItemIndex", [
                    "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(id)), "sceneItemIndex": 0,
                ]))
            }
        }
        return true
    }

    private static func touchable(_ slot: Slot, _ memory: [Slot: SlotMemory], _ now: Date) -> Bool {
        guard let slotMemory = memory[slot] else { return true }
        return slotMemory.advancing || (slotMemory.untouchableUntil.map { now >= $0 } ?? true)
    }

    private static func load(_ slot: Slot, url: String, reload: Bool, policy: ReconcilePolicy, now: Date, plan: inout ReconcilePlan) {
        plan.requests.append(OBSRequest("SetInputSettings", [
            "inputName": .string(policy.inputName(slot)), "inputSettings": policy.inputSettings(url: url), "overlay": true,
        ]))
        var memory = plan.memory[slot] ?? SlotMemory()
        memory.loadedAt = now
        // A stream that does not open sends OBS into its reconnect sleep; an emptied input does not.
        memory.untouchableUntil = url.isEmpty ? nil : now.addingTimeInterval(policy.reconnectDelay + 0.5)
        memory.advancing = false
        memory.lastCursor = nil
        memory.lastAdvanceAt = nil
        memory.advancingSince = nil
        memory.reloads = reload ? memory.reloads + 1 : 0
        plan.memory[slot] = memory
    }

    /// Puts `slot` directly above `other` (both stay at the bottom of the scene, under overlays).
    private static func move(_ slot: Slot, aboveOf other: Slot, _ observed: ObservedOBS, _ policy: ReconcilePolicy) -> OBSRequest {
        OBSRequest("SetSceneItemIndex", [
            "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(observed.slot(slot).sceneItemId ?? 0)),
            "sceneItemIndex": .number(Double(max(observed.slot(other).sceneItemIndex ?? 0, observed.slot(slot).sceneItemIndex ?? 0))),
        ])
    }
}
