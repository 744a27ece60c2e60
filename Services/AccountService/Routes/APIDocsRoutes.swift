import Foundation
import Hummingbird
import Shared

/// `GET /docs`: the API of all five services for people, rendered by this service's own
/// templates from the documents they serve (AccountService's from its bundle, the others'
/// fetched from their `/openapi.json` on each visit, so the page never shows a stale copy).
/// A peer that does not answer is named on the page rather than failing it.
struct APIDocsRoutes {
    let web: WebSession
    let ownDocument: APIDocument
    /// The other services, in the order the page lists them.
    let peers: [(name: String, client: PeerClient)]

    func add(to router: RouterGroup<ServiceRequestContext>) {
        router.get("docs") { request, _ in
            let visit = await web.visit(request)
            var services = [APIReference(service: "AccountService", documentURL: "/openapi.json", document: Self.object(ownDocument.json) ?? [:]).context]
            var unavailable: [String] = []
            let fetched = await withTaskGroup(of: (Int, Result<ByteBuffer, DocumentUnavailable>).self) { group in
                for (index, peer) in peers.enumerated() {
                    group.addTask { (index, await Self.fetch(peer.client)) }
                }
                var results: [Int: Result<ByteBuffer, DocumentUnavailable>] = [:]
                for await (index, result) in group { results[index] = result }
                return results
            }
            for (index, peer) in peers.enumerated() {
                switch fetched[index] {
                case .success(let body)?:
                    guard let document = Self.object(body) else {
                        unavailable.append("\(peer.name)'s document is not a JSON object; its routes are missing below.")
                        continue
                    }
                    services.append(APIReference(service: peer.name, documentURL: "\(peer.client.baseURL)/openapi.json", document: document).context)
                case .failure(let problem)?:
                    unavailable.append("\(peer.name)'s document could not be read (\(problem.reason)); its routes are missing below.")
                case nil:
                    break
                }
            }
            return web.page("api_docs", visit, title: "API", ["mainClass": "wide", "services": services, "unavailable": unavailable])
        }
    }

    struct DocumentUnavailable: Error, Sendable {
        var reason: String
    }

    static func fetch(_ client: PeerClient) async -> Result<ByteBuffer, DocumentUnavailable> {
        do {
            let reply = try await client.get("/openapi.json", timeout: .seconds(2))
            guard reply.status == 200 else { return .failure(DocumentUnavailable(reason: "HTTP \(reply.status)")) }
            return .success(reply.body)
        } catch {
            return .failure(DocumentUnavailable(reason: "no answer"))
        }
    }

    static func object(_ buffer: ByteBuffer) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
    }
}
