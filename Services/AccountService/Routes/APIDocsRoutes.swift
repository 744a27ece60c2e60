import Foundation
import Hummingbird
import Logging
import Shared

/// `GET /docs`: the API of all five services for people, rendered by this service's own
/// templates from the documents they serve (AccountService's from its bundle, the others'
/// fetched from their `/openapi.json` and kept a minute). A peer that does not answer is named
/// on the page rather than failing it; the page never shows a peer's internal address.
struct APIDocsRoutes {
    struct Peer: Sendable {
        var name: String
        var client: PeerClient
        /// Where a reader's browser can fetch the document itself, when the service is public.
        var publicDocumentURL: String?
    }

    let web: WebSession
    let ownDocument: APIDocumentSource
    let peers: [Peer]
    let documents: PeerDocuments

    init(web: WebSession, ownDocument: APIDocumentSource, peers: [Peer], logger: Logger) {
        self.web = web
        self.ownDocument = ownDocument
        self.peers = peers
        self.documents = PeerDocuments(peers: peers, logger: logger)
    }

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("docs") { request, _ in
            let visit = await web.visit(request)
            var services = [APIReference(service: "AccountService", documentURL: "/openapi.json", document: PeerDocuments.object(try ownDocument.document().json) ?? [:]).context]
            var unavailable: [String] = []
            let fetched = await documents.current()
            for peer in peers {
                switch fetched[peer.name] {
                case .success(let document)?:
                    services.append(APIReference(service: peer.name, documentURL: peer.publicDocumentURL, document: document.value).context)
                case .failure(let problem)?:
                    unavailable.append("\(peer.name)'s document could not be read (\(problem.reason)); its routes are missing below.")
                case nil:
                    break
                }
            }
            return web.page("api_docs", visit, title: "API", ["mainClass": "wide", "services": services, "unavailable": unavailable])
        }
    }
}

/// The peers' documents, fetched together and kept for a minute (ten seconds when a peer did
/// not answer), so a busy `/docs` costs the other services one request a minute each.
actor PeerDocuments {
    struct Document: @unchecked Sendable {
        /// A parsed JSON object (or a page's context built from one): never changed once made.
        let value: [String: Any]
    }

    struct Unavailable: Error, Sendable {
        var reason: String
    }

    private let peers: [APIDocsRoutes.Peer]
    private let logger: Logger
    private var cached: (at: ContinuousClock.Instant, documents: [String: Result<Document, Unavailable>])?

    init(peers: [APIDocsRoutes.Peer], logger: Logger) {
        self.peers = peers
        self.logger = logger
    }

    func current() async -> [String: Result<Document, Unavailable>] {
        if let cached {
            let allRead = cached.documents.values.allSatisfy { if case .success = $0 { true } else { false } }
            if ContinuousClock.now - cached.at < (allRead ? .seconds(60) : .seconds(10)) { return cached.documents }
        }
        let documents = await withTaskGroup(of: (String, Result<Document, Unavailable>).self) { group in
            for peer in peers {
                group.addTask { [logger] in (peer.name, await Self.fetch(peer, logger: logger)) }
            }
            var documents: [String: Result<Document, Unavailable>] = [:]
            for await (name, result) in group { documents[name] = result }
            return documents
        }
        cached = (ContinuousClock.now, documents)
        return documents
    }

    static func fetch(_ peer: APIDocsRoutes.Peer, logger: Logger) async -> Result<Document, Unavailable> {
        do {
            let reply = try await peer.client.get("/openapi.json", timeout: .seconds(2))
            guard reply.status == 200 else { return .failure(Unavailable(reason: "HTTP \(reply.status)")) }
            guard let document = object(reply.body) else { return .failure(Unavailable(reason: "not a JSON object")) }
            return .success(Document(value: document))
        } catch {
            // The reason stays in the log: it names the peer's internal address.
            logger.warning("the docs page could not fetch a service's OpenAPI document", metadata: ["service": "\(peer.name)", "error": "\(error)"])
            return .failure(Unavailable(reason: "no answer"))
        }
    }

    static func object(_ buffer: ByteBuffer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
    }
}
