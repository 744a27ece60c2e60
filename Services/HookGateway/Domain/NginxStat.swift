/// The publishing clients in nginx-rtmp's stat document (`rtmp_stat all`, reference/protocols.md
/// §2.6): every `<client>` with a `<publishing/>` flag, by its `<id>` — the `clientid` its
/// notifications carried. A tiny parser for the one machine-written shape: it knows tags, text,
/// `<?…?>` and comments, and throws on anything that does not close, because a document cut short
/// would otherwise read as "these publishers left".
enum NginxStat {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func publishingClientIDs(_ document: String) throws -> Set<String> {
        var stack: [Substring] = []
        var text = ""
        var client: (id: String?, publishing: Bool)?
        var ids: Set<String> = []
        var sawRoot = false
        var rest = Substring(document)

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
                if name == "id", stack.last == "client" {
                    client?.id = text.trimmed
                } else if name == "client", let finished = client {
                    guard let id = finished.id, !id.isEmpty else { throw Unreadable(description: "a client has no id") }
                    if finished.publishing { ids.insert(id) }
                    client = nil
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
            }
            stack.append(name)
        }
        guard sawRoot, stack.isEmpty, rest.allSatisfy(\.isWhitespace) else {
            throw Unreadable(description: sawRoot ? "the document ends inside <\(stack.last ?? "rtmp")>" : "no <rtmp> element")
        }
        return ids
    }
}

extension String {
    fileprivate var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
