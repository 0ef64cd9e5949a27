import DNSLists

/// `dnslist NAME ZONE [CODES...]` and `set resolver ADDRESS[:PORT]` lines.
extension RulesParser {
    /// Reads a `dnslist` line (`tokens[0]` is the keyword).
    mutating func parseDNSList(_ tokens: [RuleToken], _ line: LogicalLine) {
        guard tokens.count >= 2, let name = tokens[1].word else {
            return error(
                line, tokens.count >= 2 ? tokens[1].offset : line.characters.count,
                "expected the list's name and zone, e.g. dnslist zen zen.spamhaus.org 127.0.0.2-127.0.0.11")
        }
        guard Self.isListName(name) else {
            return error(line, tokens[1].offset, "bad list name '\(name)': use letters, digits, '-' and '_', starting with a letter")
        }
        guard tokens.count >= 3, let zone = tokens[2].word else {
            return error(
                line, tokens.count >= 3 ? tokens[2].offset : line.characters.count,
                "expected the zone of list \(name) after its name, e.g. zen.spamhaus.org")
        }
        guard DNSListQueryName.isValidZone(zone) else {
            return error(
                line, tokens[2].offset,
                "bad zone '\(zone)' for list \(name): expected a DNS name such as zen.spamhaus.org (no final dot)")
        }
        var codes: [String] = []
        var words = tokens.dropFirst(3)
        var tempfails = false
        if words.count >= 2, words[words.endIndex - 2].word?.lowercased() == "on-failure" {
            let value = words[words.endIndex - 1]
            switch value.word?.lowercased() {
            case "tempfail": tempfails = true
            case "pass": tempfails = false
            default:
                return error(
                    line, value.offset,
                    "expected tempfail or pass after on-failure (what a step that cannot check list \(name) answers)")
            }
            words = words.dropLast(2)
        }
        for token in words {
            if token.word?.lowercased() == "on-failure" {
                return error(line, token.offset, "on-failure comes last, followed by tempfail or pass")
            }
            guard let word = token.word else { return error(line, token.offset, "expected answer codes, found \(token.display)") }
            do {
                _ = try DNSListCodes(parsing: [word])
            } catch {
                return self.error(line, token.offset, error.description)
            }
            codes.append(word)
        }
        guard let parsed = try? DNSListCodes(parsing: codes) else { return }
        dnsLists.append(
            DNSListDeclaration(
                list: DNSList(name: name, zone: zone, codes: parsed, tempfailsOnFailure: tempfails),
                location: line.location(at: tokens[0].offset)))
    }

    /// Reads the value of `set resolver`.
    mutating func parseResolver(_ tokens: [RuleToken], _ line: LogicalLine) {
        var servers: [DNSServerAddress] = []
        for token in tokens.dropFirst(2) {
            guard let word = token.word, let server = DNSServerAddress(word) else {
                return error(
                    line, token.offset,
                    "bad resolver '\(token.display)', expected an address with an optional port: 127.0.0.1, 127.0.0.1:5353 or [::1]:53")
            }
            servers.append(server)
        }
        options.resolver = servers
    }

    /// Whether `name` can name a list: a letter, then letters, digits, `-` and `_`.
    static func isListName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
