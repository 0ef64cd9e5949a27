/// The errors for lines written in the other format than the one their file is read in:
/// what the line reads as, why the file is read the other way, and how to fix either.
extension FormatChoice {
    /// The error for a line of a file read in the filter-regex format, when the line reads
    /// as the rules format; nil when it does not, or when `#format filter-regex` forced the format.
    func conflict(ofLegacyFileLine shape: LineShape) -> String? {
        guard case .rules(let evidence) = shape, case .firstRule(let line, .legacy(let first)) = basis else { return nil }
        let reason = "its first rule, line \(line), has no /slashes/"
        let rewrite = first.regex.map { "write \(RegexLiteral.literal($0)) on line \(line)" } ?? "write a /regex/ on line \(line)"
        if evidence == .option {
            return "line reads as a rules-format option, but this file is read in the filter-regex format, "
                + "which has no options (\(reason)); \(rewrite), or put '#format rules' at the top"
        }
        return "line reads as a rules-format rule, but this file is read in the filter-regex format (\(reason)); "
            + "\(rewrite), or put '#format rules' at the top "
            + "(or '#format filter-regex', if this line is meant as a filter-regex rule)"
    }

    /// The error for a line of a file read in the rules format, when the line reads as a
    /// filter-regex rule: at the regex, with the line rewritten in the rules format.
    func conflict(ofRulesFileLine shape: LineShape) -> (offset: Int, message: String)? {
        guard case .legacy(let legacy) = shape, let regex = legacy.regex else { return nil }
        let action = legacy.isException ? "accept" : legacy.keyword == "dataline" ? "disconnect" : "reject"
        let rewrite = "write '\(legacy.keyword) \(RegexLiteral.literal(regex)) \(action)'"
        let opening = "line reads as a filter-regex rule, but this file is read in the rules format"
        switch basis {
        case .directive(let line):
            return (legacy.regexOffset, "\(opening) (it says '#format rules' on line \(line)); \(rewrite)")
        case .firstRule(let line, let first):
            return (
                legacy.regexOffset,
                "\(opening) (\(Self.reason(first, line: line))); \(rewrite), "
                    + "or put '#format filter-regex' at the top if the whole file is in the filter-regex format"
            )
        case .noRule:
            return nil
        }
    }

    /// Why a first rule line made the file the rules format.
    private static func reason(_ shape: LineShape, line: Int) -> String {
        switch shape {
        case .rules(.option): return "line \(line), before any rule, is a 'set' option"
        case .rules(.regex): return "its first rule, line \(line), has a /regex/"
        case .rules(.addressBlock): return "its first rule, line \(line), has an address block"
        case .rules(.action): return "its first rule, line \(line), has an action"
        case .rules(.continued): return "its first rule, line \(line), is continued with a backslash"
        case .rules(.dnsList): return "line \(line), before any other rule, declares or uses a DNS list"
        default: return "its first rule, line \(line), does not begin with connect, helo, mail, rcpt or dataline in lower case"
        }
    }
}
