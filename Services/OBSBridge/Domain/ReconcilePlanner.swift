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

    func inputName(_ slot: Slot) -> String { inputNames[slot] ?? slot.rawValue }

    /// Settings for a bridge-owned input: a network stream, a short reconnect delay, and kept
    /// playing while hidden (`restart_on_activate: false`) so the next DJ can be pre-rolled.
    func inputSettings(url: String) -> JSONValue {
        [
            "is_local_file": false, "input": .string(url), "reconnect_delay_sec": .number(reconnectDelay),
            "restart_on_activate": false, "close_when_inactive": false,
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
enum ReconcilePlanner {
    /// Folds a new observation into memory: is each input's cursor moving, did it stop?
    static func remember(_ observed: ObservedOBS, in memory: [Slot: SlotMemory], now: Date, policy: ReconcilePolicy) -> [Slot: SlotMemory] {
        var memory = memory
        for slot in Slot.allCases {
            var slotMemory = memory[slot] ?? SlotMemory()
            let seen = observed.slot(slot)
            let cursor = seen.mediaCursor
            slotMemory.advancing = seen.mediaState == "OBS_MEDIA_STATE_PLAYING" && (cursor ?? 0) > (slotMemory.lastCursor ?? 0)
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

        for scene in [policy.liveScene, policy.holdScene] where !observed.scenes.contains(scene) {
            plan.requests.append(OBSRequest("CreateScene", ["sceneName": .string(scene)]))
        }
        let missing = Slot.allCases.filter { !observed.slot($0).exists }
        for slot in missing {
            plan.requests.append(OBSRequest("CreateInput", [
                "sceneName": .string(policy.liveScene), "inputName": .string(policy.inputName(slot)), "inputKind": "ffmpeg_source",
                "inputSettings": policy.inputSettings(url: ""), "sceneItemEnabled": false,
            ]))
        }
        for slot in Slot.allCases where observed.slot(slot).exists && observed.slot(slot).sceneItemId == nil && observed.scenes.contains(policy.liveScene) {
            // The input survived (e.g. someone deleted it from the scene): put it back.
            plan.requests.append(OBSRequest("CreateSceneItem", [
                "sceneName": .string(policy.liveScene), "sourceName": .string(policy.inputName(slot)), "sceneItemEnabled": false,
            ]))
        }
        if plan.requests.count > 0 {
            plan.converging = true
            return plan
        }
        placeAtTheBottom(observed: observed, policy: policy, plan: &plan)

        var wantLive = false
        var leadSlot: Slot?
        if let leadURL = desired.leadURL {
            leadSlot = Slot.allCases.filter { observed.slot($0).url == leadURL }
                .max { (observed.slot($0).enabled ? 1 : 0) < (observed.slot($1).enabled ? 1 : 0) }
            if let slot = leadSlot {
                let memory = plan.memory[slot] ?? SlotMemory()
                if memory.advancing {
                    // Make before break: show the lead, then hide the other input.
                    if !observed.slot(slot).enabled { plan.requests.append(enable(slot, true, observed, policy)) }
                    if observed.slot(slot.other).enabled { plan.requests.append(enable(slot.other, false, observed, policy)) }
                    wantLive = true
                } else {
                    plan.converging = true
                    // Meanwhile keep the old picture while it still moves; otherwise the holding scene.
                    wantLive = observed.slot(slot.other).enabled && (plan.memory[slot.other]?.advancing ?? false)
                    if let loaded = memory.loadedAt, now.timeIntervalSince(loaded) >= policy.pictureTimeout, touchable(slot, plan.memory, now) {
                        load(slot, url: leadURL, reload: true, observed: observed, policy: policy, now: now, plan: &plan)
                    } else if memory.loadedAt == nil, touchable(slot, plan.memory, now) {
                        // Found holding the URL without having loaded it here (the bridge restarted):
                        // give it the full timeout from now.
                        plan.memory[slot, default: SlotMemory()].loadedAt = now
                    }
                }
            } else {
                plan.converging = true
                let target = Slot.allCases.first { !observed.slot($0).enabled && observed.slot($0).url != desired.nextURL }
                    ?? Slot.allCases.first { !observed.slot($0).enabled } ?? .a
                wantLive = observed.slot(target.other).enabled && (plan.memory[target.other]?.advancing ?? false)
                if touchable(target, plan.memory, now) {
                    load(target, url: leadURL, reload: false, observed: observed, policy: policy, now: now, plan: &plan)
                    leadSlot = target
                }
            }
        }

        if let nextURL = desired.nextURL, !Slot.allCases.contains(where: { observed.slot($0).url == nextURL }) {
            let candidates = Slot.allCases.filter { $0 != leadSlot && !observed.slot($0).enabled }
            if let slot = candidates.first(where: { touchable($0, plan.memory, now) }) {
                load(slot, url: nextURL, reload: false, observed: observed, policy: policy, now: now, plan: &plan)
            } else if !candidates.isEmpty {
                plan.converging = true
            }
        }

        // An input pulling a stream nobody needs any more is emptied: it costs OBS a decoder,
        // and a departed DJ's stream only sends it round its reconnect loop.
        let needed = Set([desired.leadURL, desired.nextURL, desired.resumingURL].compactMap { $0 })
        for slot in Slot.allCases where !observed.slot(slot).url.isEmpty && !needed.contains(observed.slot(slot).url)
            && !(observed.slot(slot).enabled && wantLive) && slot != leadSlot && touchable(slot, plan.memory, now)
            && !plan.requests.contains(where: { $0.data?["inputName"]?.string == policy.inputName(slot) }) {
            load(slot, url: "", reload: false, observed: observed, policy: policy, now: now, plan: &plan)
        }

        if let timer = policy.timerSource {
            let text = desired.timerText(now: now)
            if observed.timerText != text {
                plan.requests.append(OBSRequest("SetInputSettings", ["inputName": .string(timer), "inputSettings": ["text": .string(text)]]))
            }
        }

        let scene = wantLive ? policy.liveScene : policy.holdScene
        if observed.programScene != scene {
            plan.requests.append(OBSRequest("SetCurrentProgramScene", ["sceneName": .string(scene)]))
        }
        return plan
    }

    private static func touchable(_ slot: Slot, _ memory: [Slot: SlotMemory], _ now: Date) -> Bool {
        guard let slotMemory = memory[slot] else { return true }
        return slotMemory.advancing || (slotMemory.untouchableUntil.map { now >= $0 } ?? true)
    }

    private static func load(_ slot: Slot, url: String, reload: Bool, observed: ObservedOBS, policy: ReconcilePolicy, now: Date, plan: inout ReconcilePlan) {
        plan.requests.append(OBSRequest("SetInputSettings", [
            "inputName": .string(policy.inputName(slot)), "inputSettings": policy.inputSettings(url: url), "overlay": true,
        ]))
        var memory = plan.memory[slot] ?? SlotMemory()
        memory.loadedAt = now
        memory.untouchableUntil = now.addingTimeInterval(policy.reconnectDelay + 0.5)
        memory.advancing = false
        memory.lastCursor = nil
        memory.reloads = reload ? memory.reloads + 1 : 0
        plan.memory[slot] = memory
    }

    private static func enable(_ slot: Slot, _ enabled: Bool, _ observed: ObservedOBS, _ policy: ReconcilePolicy) -> OBSRequest {
        OBSRequest("SetSceneItemEnabled", [
            "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(observed.slot(slot).sceneItemId ?? 0)),
            "sceneItemEnabled": .bool(enabled),
        ])
    }

    /// Our inputs fill the canvas and sit below everything else in the live scene, so overlays
    /// stay on top.
    private static func placeAtTheBottom(observed: ObservedOBS, policy: ReconcilePolicy, plan: inout ReconcilePlan) {
        for slot in Slot.allCases {
            guard let id = observed.slot(slot).sceneItemId else { continue }
            if !(plan.memory[slot]?.sized ?? false) {
                plan.requests.append(OBSRequest("SetSceneItemTransform", [
                    "sceneName": .string(policy.liveScene), "sceneItemId": .number(Double(id)),
                    "sceneItemTransform": [
                        "positionX": 0, "positionY": 0, "alignment": 5, "boundsType": "OBS_BOUNDS_SCALE_INNER", "boundsAlignment": 0,
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
    }
}
