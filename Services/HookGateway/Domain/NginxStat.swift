import Shared

/// The publishing clients in nginx-rtmp's stat document (`rtmp_stat all`, reference/protocols.md
/// §2.6): every `<client>` with a `<publishing/>` flag, by its `<id>` — the `clientid` its
/// notifications carried — with its application and its stream's incoming counters. A tiny
/// parser for the one machine-written shape: it knows tags, text, `<?…?>` and comments, and
/// throws on anything that does not close, because a document cut short would otherwise read as
/// "these publishers left" (or, for stream health, "these publishers went silent").
enum NginxStat {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// One publishing client. A live stream has one publisher, so its stream's `bytes_in` and
    /// `bw_in` are that client's.
    struct Publisher: Equatable, Sendable {
        /// The `<application>` it publishes to.
        var app: String
        var clientId: String
        /// The stream's name: a DJ's key or the programme key, never logged.
        var stream = ""
        /// Bytes received on the stream so far: nginx adds every message as it arrives.
        var bytesIn: UInt64?
        /// The stream's incoming bits per second, recomputed only every 10 s (and 0 for a stream's
        /// first 10 s), so good for a bitrate shown and never for judging a stall.
        var bitsPerSecondIn: UInt64?

        /// As QueueService reads it: progress in bytes, the bitrate in kbps.
        var health: PublisherHealth {
            PublisherHealth(clientId: clientId, bytesReceived: bytesIn, kbps: bitsPerSecondIn.map { Double($0) / 1000 })
        }
    }

    static func publishingClientIDs(_ document: String) throws -> Set<String> {
        Set(try publishers(document).map(\.clientId))
    }

    /// The publishers of one application (`INGEST_APP`): the DJs, not relays pushed to other apps.
    static func health(_ document: String, app: String) throws -> [PublisherHealth] {
        try publishers(document).filter { $0.app == app }.map(\.health)
    }

    static func publishers(_ document: String) throws -> [Publisher] {
        try parse(document).publishers
    }

    /// How many clients play each stream (by application and stream name): those without the
    /// `<publishing/>` flag, listed even while the stream waits for its publisher.
    static func players(_ document: String) throws -> [StreamName: Int] {
        try parse(document).players
    }

    struct StreamName: Hashable, Sendable {
        var app: String
        var stream: String
    }

    private static func parse(_ document: String) throws -> (publishers: [Publisher], players: [StreamName: Int]) {
        var stack: [Substring] = []
        var text = ""
        var app = ""
        var streamName = ""
        var players: [StreamName: Int] = [:]
        /// The open `<stream>`'s counters, and where its publishers begin in `found`.
        var stream: (bytesIn: UInt64?, bitsPerSecondIn: UInt64?, firstPublisher: Int)?
        var client: (id: String?, publishing: Bool)?
        var found: [Publisher] = []
        var sawRoot = false
        var rest = Substring(document)

        func number(_ name: Substring) throws -> UInt64 {
            guard let value = UInt64(text.trimmed) else { throw Unreadable(description: "a stream's <\(name)> is \"\(text.prefix(40))\", not a number") }
            return value
        }

        while let open = rest.firstIndex(of: "<") {
            text += rest[..<open]
            rest = rest[open...]
            if rest.hasPrefix("<?") || rest.hasPrefix("<!--") || rest.hasPrefix("<!") {
                let end = rest.hasPrefix("<?") ? "?>" : rest.hasPrefix("<!--") ? "-->" : ">"
                guard let close = rest.range(of: end) else { throw Unreadable(description: "a declaration or comment does not end") }
                rest = rest[close.upperBound...]
                continue
            }
            guard let close = rest.firstIndex(of: ">") else { throw Unreadable(description: "a tag does not end") }
            var tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("/") {
                let name = tag.dropFirst()
                guard stack.last == name else { throw Unreadable(description: "</\(name)> closes <\(stack.last ?? "nothing")>") }
                stack.removeLast()
                switch (name, stack.last) {
                case ("name", "application"):
                    app = text.trimmed
                case ("name", "stream"):
                    streamName = text.trimmed
                case ("bytes_in", "stream"):
                    stream?.bytesIn = try number(name)
                case ("bw_in", "stream"):
                    stream?.bitsPerSecondIn = try number(name)
                case ("id", "client"):
                    client?.id = text.trimmed
                case ("client", _):
                    guard let finished = client, let id = finished.id, !id.isEmpty else { throw Unreadable(description: "a client has no id") }
                    if finished.publishing {
                        found.append(Publisher(app: app, clientId: id, stream: streamName))
                    } else {
                        players[StreamName(app: app, stream: streamName), default: 0] += 1
                    }
                    client = nil
                case ("stream", _):
                    if let finished = stream {
                        for index in finished.firstPublisher..<found.count {
                            found[index].bytesIn = finished.bytesIn
                            found[index].bitsPerSecondIn = finished.bitsPerSecondIn
                        }
                    }
                    stream = nil
                    streamName = ""
                case ("application", _):
                    app = ""
                default:
                    break
                }
                text = ""
                continue
            }
            let selfClosing = tag.hasSuffix("/")
            if selfClosing { tag = tag.dropLast() }
            guard let name = tag.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first, !name.isEmpty else {
                throw Unreadable(description: "an empty tag")
            }
            if stack.isEmpty {
                guard name == "rtmp", !sawRoot else { throw Unreadable(description: "the document is not one <rtmp> element") }
                sawRoot = true
            }
            text = ""
            if selfClosing {
                if name == "publishing", stack.last == "client" { client?.publishing = true }
                continue
            }
            if name == "client" {
                guard client == nil else { throw Unreadable(description: "a client inside a client") }
                client = (nil, false)
            } else if name == "stream" {
                guard stream == nil else { throw Unreadable(description: "a stream inside a stream") }
                stream = (nil, nil, found.count)
            }
            stack.append(name)
        }
        guard sawRoot, stack.isEmpty, rest.allSatisfy(\.isWhitespace) else {
            throw Unreadable(description: sawRoot ? "the document ends inside <\(stack.last ?? "rtmp")>" : "no <rtmp> element")
        }
        return (found, players)
    }
}

extension String {
    fileprivate var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
