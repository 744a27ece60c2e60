import Foundation

/// One round of reads (a single RequestBatch; reads are free) and what they mean.
enum OBSObservation {
    static func requests(_ policy: ReconcilePolicy) -> [OBSRequest] {
        var requests = [
            OBSRequest("GetCurrentProgramScene"), OBSRequest("GetSceneList"), OBSRequest("GetVideoSettings"),
            OBSRequest("GetSceneItemList", ["sceneName": .string(policy.liveScene)]),
        ]
        for slot in Slot.allCases {
            requests.append(OBSRequest("GetInputSettings", ["inputName": .string(policy.inputName(slot))]))
            requests.append(OBSRequest("GetMediaInputStatus", ["inputName": .string(policy.inputName(slot))]))
            requests.append(OBSRequest("GetInputMute", ["inputName": .string(policy.inputName(slot))]))
        }
        requests.append(OBSRequest("GetSceneItemList", ["sceneName": .string(policy.holdScene)]))
        requests.append(OBSRequest("GetInputSettings", ["inputName": .string(policy.coverName)]))
        if let timer = policy.timerSource {
            requests.append(OBSRequest("GetInputSettings", ["inputName": .string(timer)]))
        }
        requests.append(OBSRequest("GetCurrentSceneTransition"))
        return requests
    }

    static func parse(_ responses: [OBSResponse], _ policy: ReconcilePolicy) -> ObservedOBS {
        var observed = ObservedOBS()
        func response(_ index: Int) -> OBSResponse? {
            index < responses.count && responses[index].ok ? responses[index] : nil
        }
        let program = response(0)?.data
        observed.programScene = program?["currentProgramSceneName"]?.string ?? program?["sceneName"]?.string
        observed.scenes = Set((response(1)?.data?["scenes"]?.array ?? []).compactMap { $0["sceneName"]?.string })
        if let video = response(2)?.data {
            observed.canvasWidth = video["baseWidth"]?.int ?? observed.canvasWidth
            observed.canvasHeight = video["baseHeight"]?.int ?? observed.canvasHeight
        }
        let items = response(3)?.data?["sceneItems"]?.array ?? []
        observed.liveSceneItemCount = items.count
        for (offset, slot) in Slot.allCases.enumerated() {
            var seen = ObservedSlot()
            if let settings = response(4 + offset * 3)?.data {
                seen.exists = true
                seen.url = settings["inputSettings"]?["input"]?.string ?? ""
            }
            if let media = response(5 + offset * 3)?.data {
                seen.mediaState = media["mediaState"]?.string
                seen.mediaCursor = media["mediaCursor"]?.int
            }
            seen.muted = response(6 + offset * 3)?.data?["inputMuted"]?.bool
            if let item = items.first(where: { $0["sourceName"]?.string == policy.inputName(slot) }) {
                seen.sceneItemId = item["sceneItemId"]?.int
                seen.sceneItemIndex = item["sceneItemIndex"]?.int
                seen.enabled = item["sceneItemEnabled"]?.bool ?? false
            }
            observed.slots[slot] = seen
        }
        let holdBase = 4 + Slot.allCases.count * 3
        let holdItems = response(holdBase)?.data?["sceneItems"]?.array ?? []
        if let nested = holdItems.first(where: { $0["sourceName"]?.string == policy.liveScene }) {
            observed.holdItems.nestedLiveId = nested["sceneItemId"]?.int
            observed.holdItems.nestedLiveIndex = nested["sceneItemIndex"]?.int
            observed.holdItems.nestedLiveEnabled = nested["sceneItemEnabled"]?.bool ?? false
        }
        if let cover = holdItems.first(where: { $0["sourceName"]?.string == policy.coverName }) {
            observed.holdItems.coverId = cover["sceneItemId"]?.int
            observed.holdItems.coverIndex = cover["sceneItemIndex"]?.int
            observed.holdItems.coverEnabled = cover["sceneItemEnabled"]?.bool ?? false
        }
        observed.holdItems.coverExists = response(holdBase + 1) != nil
        if policy.timerSource != nil {
            observed.timerText = response(holdBase + 2)?.data?["inputSettings"]?["text"]?.string
        }
        let transition = response(holdBase + (policy.timerSource == nil ? 2 : 3))?.data
        observed.transitionName = transition?["transitionName"]?.string
        observed.transitionMilliseconds = transition?["transitionDuration"]?.int
        return observed
    }
}
