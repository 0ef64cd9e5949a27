import ConfigurationFiles
import RuleStores

/// `limit NAME KEY COUNT/DURATION [burst N] [strict]` and `dynlist NAME KEY TTL` lines,
/// and the `over NAME` and `in NAME` terms.
extension RulesParser {
    /// Reads a `limit` line (`tokens[0]` is the keyword).
    mutating func parseLimit(_ tokens: [RuleToken], _ line: LogicalLine) {
        let example = "e.g. limit per-client addr/24 30/1m burst 60"
        guard let (name, key) = declarationHead(tokens, line, keyword: "limit", example: example) else { return }
        guard tokens.count >= 4, let rateWord = tokens[3].word else {
            return error(
                line, tokens.count >= 4 ? tokens[3].offset : line.characters.count,
                "expected the rate of limit \(name) after its key, as COUNT/DURATION: 30/1m, 200/1h, or bytes: 50m/1h")
        }
        guard var rate = Self.rate(rateWord) else {
            return error(
                line, tokens[3].offset,
                "bad rate '\(rateWord)' for limit \(name): expected COUNT/DURATION with a unit s, m, h or d (30/1m, 200/1h), or a size in bytes (50m/1h)")
        }
        var cursor = 4
        while cursor < tokens.count {
            switch tokens[cursor].word?.lowercased() {
            case "burst":
                guard cursor + 1 < tokens.count, let word = tokens[cursor + 1].word,
                    let burst = rate.inBytes ? RuleOptions.size(word) : Int(word), burst > 0
                else {
                    return error(
                        line, cursor + 1 < tokens.count ? tokens[cursor + 1].offset : line.characters.count,
                        "expected how many \(rate.inBytes ? "bytes" : "events") a key may spend at once after burst, e.g. burst \(rate.count <= Int.max / 2 ? rate.count * 2 : rate.count)"
                    )
                }
                rate.burst = burst
                cursor += 2
            case "strict":
                rate.strict = true
                cursor += 1
            default:
                return error(line, tokens[cursor].offset, "unexpected \(tokens[cursor].display) after the rate, expected burst N or strict")
            }
        }
        rateLimits.append(LimitDeclaration(name: name, key: key, rate: rate, location: line.location(at: tokens[0].offset)))
    }

    /// Reads a `dynlist` line (`tokens[0]` is the keyword).
    mutating func parseDynlist(_ tokens: [RuleToken], _ line: LogicalLine) {
        let example = "e.g. dynlist banned addr 1h"
        guard let (name, key) = declarationHead(tokens, line, keyword: "dynlist", example: example) else { return }
        guard tokens.count >= 4, let word = tokens[3].word, let ttl = DurationText.milliseconds(word) else {
            return error(
                line, tokens.count >= 4 ? tokens[3].offset : line.characters.count,
                "expected how long an entry of \(name) stays, with a unit s, m, h or d (at most 366d), \(example)")
        }
        var seed: (path: String, location: SourceLocation)?
        if tokens.count > 4 {
            guard tokens[4].word?.lowercased() == "file", tokens.count == 6, case .quoted(let path) = tokens[5].kind, !path.isEmpty else {
                return error(
                    line, tokens[4].offset,
                    "unexpected \(tokens[4].display) after the time to live; a list file to seed it is written file \"PATH\"")
            }
            seed = (path, line.location(at: tokens[4].offset))
        }
        dynlists.append(
            DynlistDeclaration(name: name, key: key, ttlMilliseconds: ttl, seed: seed, location: line.location(at: tokens[0].offset)))
    }

    /// The name and key of a `limit` or `dynlist` line, or nil after reporting what is wrong.
    private mutating func declarationHead(
        _ tokens: [RuleToken], _ line: LogicalLine, keyword: String, example: String
    ) -> (String, StoreKeyKind)? {
        guard tokens.count >= 2, let name = tokens[1].word else {
            error(line, tokens.count >= 2 ? tokens[1].offset : line.characters.count, "expected the \(keyword)'s name and key, \(example)")
            return nil
        }
        guard Self.isListName(name) else {
            error(line, tokens[1].offset, "bad \(keyword) name '\(name)': use letters, digits, '-' and '_', starting with a letter")
            return nil
        }
        guard tokens.count >= 3, let keyWord = tokens[2].word else {
            error(line, tokens.count >= 3 ? tokens[2].offset : line.characters.count, "expected what \(name) counts by: \(StoreKeyKind.keywords)")
            return nil
        }
        guard let key = StoreKeyKind.parse(keyWord) else {
            error(line, tokens[2].offset, "bad key '\(keyWord)' for \(name), expected \(StoreKeyKind.keywords)")
            return nil
        }
        return (name, key)
    }

    /// Reads the value of `set state-file`: an absolute path in quotes, or `off`.
    mutating func parseStateFile(_ tokens: [RuleToken], _ line: LogicalLine) {
        let expected = "expected an absolute path in quotes or off, e.g. set state-file \"/var/lib/filter-rules/state\""
        guard tokens.count >= 3 else { return error(line, line.characters.count, "expected a value for state-file: \(expected)") }
        if tokens.count > 3 { return error(line, tokens[3].offset, "unexpected \(tokens[3].display) after the value of state-file") }
        switch tokens[2].kind {
        case .quoted(let path) where path.hasPrefix("/"):
            options.stateFile = path
        case .word(let word) where word.lowercased() == "off":
            options.stateFile = nil
        default:
            error(line, tokens[2].offset, "bad value \(tokens[2].display) for state-file: \(expected)")
        }
    }

    /// Reads `set store memory|URL` and `set store-password-file "PATH"`.
    mutating func parseStore(_ name: String, _ tokens: [RuleToken], _ line: LogicalLine) {
        guard tokens.count >= 3 else { return error(line, line.characters.count, "expected a value for \(name)") }
        if tokens.count > 3 { return error(line, tokens[3].offset, "unexpected \(tokens[3].display) after the value of \(name)") }
        let value: String
        switch tokens[2].kind {
        case .quoted(let text): value = text
        case .word(let word): value = word
        default: return error(line, tokens[2].offset, "bad value \(tokens[2].display) for \(name)")
        }
        if name == "store-password-file" {
            guard value.hasPrefix("/") else {
                return error(line, tokens[2].offset, "bad value '\(value)' for store-password-file, expected an absolute path in quotes")
            }
            options.storePasswordFile = value
            return
        }
        if value.lowercased() == "memory" {
            options.storeEndpoint = nil
            return
        }
        guard let endpoint = RedisEndpoint(url: value) else {
            return error(
                line, tokens[2].offset,
                "bad value '\(value)' for store, expected memory, redis://HOST:PORT/DB (IPv6 as [ADDRESS]) or redis+unix:///PATH?db=N")
        }
        options.storeEndpoint = endpoint
    }

    /// `COUNT/DURATION`: events, or bytes when COUNT has a k or m suffix.
    static func rate(_ word: String) -> Rate? {
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let period = DurationText.milliseconds(String(parts[1])) else { return nil }
        let countText = String(parts[0])
        if let count = Int(countText), count > 0 { return Rate(count: count, periodMilliseconds: period) }
        guard let last = countText.last, "kKmM".contains(last), let bytes = RuleOptions.size(countText), bytes > 0 else { return nil }
        return Rate(count: bytes, periodMilliseconds: period, inBytes: true)
    }

    /// The stages an `over NAME` term counts at: a connection, a HELO, a transaction, a
    /// recipient, a message (at its end, `body over`).
    static let overStages: [Stage] = [.connect, .helo, .authfail, .mail, .rcpt, .body]
    /// The stages an `in NAME` term looks at.
    static let inStages: [Stage] = [.connect, .helo, .mail, .rcpt]

    /// `over NAME` or `in NAME` after a stage (and its `!`), `tokens[cursor]` being the keyword.
    mutating func parseStoreTerm(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine, stage: Stage, first: RuleToken, negated: Bool,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleTerm {
        let keyword = tokens[cursor]
        let isOver = keyword.word?.lowercased() == "over"
        let stages = isOver ? Self.overStages : Self.inStages
        guard stages.contains(stage) else {
            let what =
                isOver
                ? "'over' counts a connection (connect), a HELO (helo), a failed AUTH (authfail), a transaction (mail), a recipient (rcpt) or a message at its end (body)"
                : "'in' looks at connect, helo, mail or rcpt"
            return try stop(line, keyword.offset, "\(what), not \(stage.rawValue)")
        }
        cursor += 1
        let declaration = isOver ? "limit NAME KEY COUNT/DURATION" : "dynlist NAME KEY TTL"
        let expectedName = "expected the name of a list declared with '\(declaration)' after '\(keyword.word!.lowercased())'"
        guard cursor < tokens.count, let name = tokens[cursor].word, Self.isListName(name),
            !LineShape.actionWords.contains(name.lowercased()), !["and", "or"].contains(name.lowercased())
        else {
            return try stop(line, cursor < tokens.count ? tokens[cursor].offset : line.characters.count, expectedName)
        }
        parsed.lastPatternToken = tokens[cursor]
        let location = line.location(at: tokens[cursor].offset)
        cursor += 1
        return RuleTerm(
            location: line.location(at: first.offset), stage: stage, isNegated: negated,
            pattern: isOver ? .limit(name: name, location: location) : .dynlist(name: name, location: location))
    }

    /// The list name after `add-to` or `remove-from` (`tokens[cursor]`), or nil after
    /// reporting it missing.
    mutating func storeListName(_ tokens: [RuleToken], _ cursor: Int, _ line: LogicalLine, after action: String) -> String? {
        guard cursor < tokens.count, let name = tokens[cursor].word, Self.isListName(name) else {
            error(
                line, cursor < tokens.count ? tokens[cursor].offset : line.characters.count,
                "expected the name of a list declared with 'dynlist NAME KEY TTL' after \(action), e.g. \(action) banned")
            return nil
        }
        return name
    }
}
