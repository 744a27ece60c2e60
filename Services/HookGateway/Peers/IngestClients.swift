import Shared

/// The clients the ingest server really holds: the truth about which encoders are connected,
/// whatever hooks were lost on the way: SRS's client list or nginx-rtmp's stat page.
protocol IngestClients: Sendable {
    /// The id of every client connected now (the `client_id` the hooks carry). Throws unless the
    /// whole list was read and hangs together: a partial list must never read as "these left".
    func connectedClientIDs(requestID: String?) async throws -> Set<String>
}

/// `GET /api/v1/clients?start=&count=` (reference/protocols.md §1.6), paged until a page comes
/// back short. SRS has no total to check against, so each page must come from the same SRS
/// process (`service`) with its `code` 0, no more clients than asked for, and no id twice.
struct SRSClientList: IngestClients {
    let client: PeerClient
    /// SRS forces at least 10. One page is one consistent snapshot, so this covers a collective's
    /// encoders and players in a single request.
    var pageSize = 100
    /// 100 pages of 100: a list longer than this is not one the gateway could have been told about.
    var maximumPages = 100

    struct Page: Decodable {
        struct Client: Decodable {
            var id: String
        }
        var code: Int
        var service: String?
        var clients: [Client]?
    }

    func connectedClientIDs(requestID: String?) async throws -> Set<String> {
        var ids: Set<String> = []
        var service: String?
        for index in 0..<maximumPages {
            let page = try await self.page(start: index * pageSize, requestID: requestID)
            guard page.code == 0, let clients = page.clients else {
                throw SRSAPIError(message: "SRS refused the client list with code \(page.code)")
            }
            if index == 0 { service = page.service }
            guard page.service == service else {
                throw SRSAPIError(message: "SRS restarted while its client list was read (service \(service ?? "-") became \(page.service ?? "-"))")
            }
            guard clients.count <= pageSize else {
                throw SRSAPIError(message: "SRS sent \(clients.count) clients for a page of \(pageSize)")
            }
            for entry in clients {
                guard ids.insert(entry.id).inserted else {
                    throw SRSAPIError(message: "SRS listed client \(entry.id) twice: its clients changed while they were paged")
                }
            }
            if clients.count < pageSize { return ids }
        }
        throw SRSAPIError(message: "SRS lists more than \(maximumPages * pageSize) clients")
    }

    private func page(start: Int, requestID: String?) async throws -> Page {
        let reply = try await client.srsListPage("/api/v1/clients", start: start, count: pageSize, listName: "client list", requestID: requestID)
        do {
            return try reply.decode(Page.self)
        } catch {
            throw SRSAPIError(message: "SRS's client list is not the JSON it sends: \(error)")
        }
    }
}
