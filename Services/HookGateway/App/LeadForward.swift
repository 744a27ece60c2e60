import Shared
import Synchronization

/// The forward targets QueueService gave with the last publish it made lead, kept until that
/// session ends or another publish leads. SRS asks `on_forward` right after a publish it was
/// allowed; for the lead, this answers it without a second hop. Anything else — another client,
/// or a gateway that restarted in between — is asked of QueueService as before.
final class LeadForward: Sendable {
    private struct Lead {
        var clientId: String
        var urls: [String]
    }

    private let lead = Mutex<Lead?>(nil)

    func published(clientId: String, reply: PublishReply) {
        guard reply.decision == .lead, let urls = reply.forwardTargets else { return }
        lead.withLock { $0 = Lead(clientId: clientId, urls: urls) }
    }

    func ended(clientId: String) {
        lead.withLock { if $0?.clientId == clientId { $0 = nil } }
    }

    /// The targets, when `clientId` is the publish the queue last made lead.
    func urls(for clientId: String) -> [String]? {
        lead.withLock { $0?.clientId == clientId ? $0?.urls : nil }
    }
}
