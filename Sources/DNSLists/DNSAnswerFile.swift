import ConfigurationFiles

/// DNS answers written in a file, so that a dry-run (`filter-rules test --dns FILE`) gives
/// the same result every time and needs no network: zone-file lines of an owner name, a
/// type and the data, e.g.
///
///     2.0.0.127.zen.spamhaus.org. A 127.0.0.2
///     2.0.0.127.zen.spamhaus.org. TXT "https://check.example/127.0.0.2"
///     3.0.0.127.zen.spamhaus.org. TIMEOUT
///
/// `TIMEOUT` makes the name's lookups time out, `SERVFAIL` fail; a name (or type) not in the
/// file is not found. Names are matched without case, with or without their final dot; a
/// TTL or `IN` between name and type is allowed and ignored. `#` and `;` start comments.
/// Answers come at once, on the caller's thread.
public struct DNSAnswerFile: DNSLookupService, Sendable {
    /// What the file says of a name.
    enum Entry: Hashable, Sendable {
        case address(UInt32)
        case text(String)
        case timeout
        case serverFailure
    }

    /// Entries by lowercased name without the final dot, in file order.
    let entries: [String: [Entry]]

    /// The answers in the file at `path`.
    ///
    /// - Throws: a ``FileDiagnostic`` at the line and column of the first mistake.
    public init(path: String) throws(FileDiagnostic) {
        try self.init(text: try ConfigurationText.read(path: path), file: path)
    }

    /// The answers written in `text` (from a file named `file`, for diagnostics).
    ///
    /// - Throws: a ``FileDiagnostic`` at the line and column of the first mistake.
    public init(text: String, file: String) throws(FileDiagnostic) {
        var entries: [String: [Entry]] = [:]
        for (index, line) in PhysicalLines.split(text).enumerated() {
            let words = Self.words(of: line)
            guard let first = words.first else { continue }
            func fail(_ column: Int, _ message: String) -> FileDiagnostic {
                FileDiagnostic(SourceLocation(file: file, line: index + 1, column: column), message)
            }
            var rest = words.dropFirst()
            // An optional TTL and class, as zone files have them.
            if let ttl = rest.first, UInt32(ttl.text) != nil { rest = rest.dropFirst() }
            if let dnsClass = rest.first, dnsClass.text.uppercased() == "IN" { rest = rest.dropFirst() }
            guard let type = rest.first else {
                throw fail(first.column + first.text.count, "expected a type after the name (A, TXT, TIMEOUT or SERVFAIL)")
            }
            var name = first.text.lowercased()
            if name.hasSuffix(".") { name.removeLast() }
            guard !name.isEmpty else { throw fail(first.column, "expected a name") }
            let data = rest.dropFirst()
            let entry: Entry
            switch type.text.uppercased() {
            case "A":
                guard data.count == 1, let address = IPv4Text.parse(data.first!.text) else {
                    throw fail(data.first?.column ?? type.column + 1, "an A record takes one IPv4 address, e.g. 127.0.0.2")
                }
                entry = .address(address)
            case "TXT":
                guard !data.isEmpty else { throw fail(type.column + 4, "a TXT record takes its text, e.g. \"listed\"") }
                entry = .text(data.map(\.text).joined())
            case "TIMEOUT", "SERVFAIL":
                guard data.isEmpty else { throw fail(data.first!.column, "\(type.text.uppercased()) takes nothing after it") }
                entry = type.text.uppercased() == "TIMEOUT" ? .timeout : .serverFailure
            default:
                throw fail(type.column, "unknown type '\(type.text)': expected A, TXT, TIMEOUT or SERVFAIL")
            }
            entries[name, default: []].append(entry)
        }
        self.entries = entries
    }

    /// Answers from the file, at once.
    public func lookup(_ name: String, _ type: DNSRecordType, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        completion(answer(name, type))
    }

    /// What the file says of `name` for `type`.
    public func answer(_ name: String, _ type: DNSRecordType) -> DNSAnswer {
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        let found = entries[key] ?? []
        if found.contains(.timeout) { return .failed(.timeout) }
        if found.contains(.serverFailure) { return .failed(.serverFailure) }
        switch type {
        case .a:
            let addresses = found.compactMap { if case .address(let address) = $0 { address } else { nil } }
            return addresses.isEmpty ? .notFound(ttl: nil) : .records(addresses: addresses, texts: [], ttl: 300)
        case .txt:
            let texts = found.compactMap { if case .text(let text) = $0 { text } else { nil } }
            return texts.isEmpty ? .notFound(ttl: nil) : .records(addresses: [], texts: texts, ttl: 300)
        }
    }

    /// A word of a line, where it starts (1-based column); quoted strings are one word each,
    /// without their quotes (`\"` and `\\` inside them stand for `"` and `\`).
    struct Word {
        var text: String
        var column: Int
    }

    static func words(of line: [Character]) -> [Word] {
        var words: [Word] = []
        var index = 0
        while index < line.count {
            let character = line[index]
            if character == "#" || character == ";" { break }
            if character.isWhitespace {
                index += 1
                continue
            }
            let start = index
            var text = ""
            if character == "\"" {
                index += 1
                while index < line.count, line[index] != "\"" {
                    if line[index] == "\\", index + 1 < line.count { index += 1 }
                    text.append(line[index])
                    index += 1
                }
                index += 1
            } else {
                while index < line.count, !line[index].isWhitespace { text.append(line[index]); index += 1 }
            }
            words.append(Word(text: text, column: start + 1))
        }
        return words
    }
}
