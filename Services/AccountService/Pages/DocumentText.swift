/// The little Markdown the OpenAPI documents' descriptions use, as safe HTML: paragraphs,
/// `- ` lists, `code` and **bold**. Everything is escaped first, so a description cannot
/// inject markup; only these four shapes turn back into tags.
enum DocumentText {
    static func html(_ markdown: String) -> String {
        var blocks: [String] = []
        var items: [String] = []
        var paragraph: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { blocks.append("<p>\(inline(paragraph.joined(separator: " ")))</p>") }
            paragraph.removeAll()
        }
        func flushList() {
            if !items.isEmpty { blocks.append("<ul>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</ul>") }
            items.removeAll()
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                flushParagraph()
                flushList()
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                items.append(String(line.dropFirst(2)))
            } else if !items.isEmpty, raw.hasPrefix("  ") {
                items[items.count - 1] += " " + line
            } else {
                flushList()
                paragraph.append(line)
            }
        }
        flushParagraph()
        flushList()
        return blocks.joined(separator: "\n")
    }

    /// Escaped text with `code` spans and **bold** made tags again.
    static func inline(_ text: String) -> String {
        var html = ""
        var inCode = false
        var inBold = false
        var characters = Array(text)[...]
        while let character = characters.first {
            characters = characters.dropFirst()
            if character == "`" {
                html += inCode ? "</code>" : "<code>"
                inCode.toggle()
            } else if !inCode, character == "*", characters.first == "*" {
                characters = characters.dropFirst()
                html += inBold ? "</strong>" : "<strong>"
                inBold.toggle()
            } else {
                html += escaped(character)
            }
        }
        if inCode { html += "</code>" }
        if inBold { html += "</strong>" }
        return html
    }

    static func escaped(_ character: Character) -> String {
        switch character {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        case "\"": "&quot;"
        case "'": "&#39;"
        default: String(character)
        }
    }
}
