import Foundation

/// How OBS moves between the holding and the live scene (`OBS_TRANSITION=cut|fade`,
/// `OBS_TRANSITION_MS`), using OBS's own transitions. A handover between two DJs is a reorder
/// inside the live scene and always a cut: the incoming picture is already drawn underneath, so
/// there is nothing for a transition to hide.
enum SceneTransition: Sendable, Equatable {
    case cut
    case fade(milliseconds: Int)

    /// OBS's names for its built-in transitions.
    var name: String {
        switch self {
        case .cut: "Cut"
        case .fade: "Fade"
        }
    }

    var milliseconds: Int? {
        if case .fade(let milliseconds) = self { return milliseconds }
        return nil
    }

    /// Parses the two settings; nil for a name OBS does not have built in.
    init?(name: String, milliseconds: Int) {
        switch name.lowercased() {
        case "cut": self = .cut
        case "fade": self = .fade(milliseconds: milliseconds)
        default: return nil
        }
    }
}
