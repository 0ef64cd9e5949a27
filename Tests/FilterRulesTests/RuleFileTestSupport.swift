import Testing
@testable import FilterRules

/// The diagnostics of compiling `text` as the file `r.conf`, as `FILE:LINE:COLUMN: message`
/// strings in file order; empty when the file compiles.
func diagnostics(_ text: String, file: String = "r.conf") -> [String] {
    do {
        _ = try RuleSetLoader.compile(text: text, file: file)
        return []
    } catch {
        return error.diagnostics.map(\.description)
    }
}

/// The one diagnostic of compiling `text` (nil unless there is exactly one).
func diagnostic(_ text: String) -> String? {
    let all = diagnostics(text)
    return all.count == 1 ? all[0] : nil
}

/// The rules of `text`, parsed as `r.conf`.
func rules(_ text: String) throws -> [Rule] {
    try RuleSetLoader.parse(text: text, file: "r.conf").rules
}

/// The only rule of `text`.
func rule(_ text: String) throws -> Rule {
    let parsed = try rules(text)
    try #require(parsed.count == 1)
    return parsed[0]
}

/// The regex source of a rule, nil for CIDR rules.
func regexSource(_ rule: Rule) -> String? {
    if case .regex(let source, _, _) = rule.pattern { return source }
    return nil
}

let stageList = "connect, addr, helo, mail, rcpt, header, body, dataline, attachment, mimetype, auth, authfail, tls, fcrdns, score, rdns"
let actionList = "accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
let optionList =
    "fail-closed, scan-limit, match-limit, depth-limit, line-time-limit, message-time-limit, header-limit, allow-empty, mode, hold-limit, hold-total, "
    + "oversized-header, oversized-mime, resolver, dnslist-domains, store-keys, greylist-delay, greylist-window, greylist-pass, state-file, store, store-password-file, store-prefix, metrics"
let flagList = "expected one of i, x, s, m, u"
