/// The replies used when a rule names no code or text.
public enum DefaultReplies {
    /// The default reply of `action` at `stage` (nil for accept).
    public static func reply(for action: RuleAction, at stage: Stage) -> Reply? {
        switch action {
        case .accept, .junk, .addHeader, .warn, .score, .addTo, .removeFrom: return nil
        case .tempfail: return Reply(code: 451, text: "4.7.1 Temporarily refused by policy, try again later")
        case .greylist: return Reply(code: 451, text: "4.7.1 Greylisted: this is a first attempt, please try again in a few minutes")
        case .disconnect: return Reply(code: 421, text: "4.7.0 Closing connection by policy")
        case .reject:
            switch stage {
            case .connect, .addr, .fcrdns: return Reply(code: 554, text: "5.7.1 Connection refused by policy")
            case .auth, .authfail, .tls, .score: return Reply(code: 550, text: "5.7.1 Refused by policy")
            case .helo: return Reply(code: 550, text: "5.7.1 HELO/EHLO rejected by policy")
            case .mail: return Reply(code: 550, text: "5.7.1 Sender rejected by policy")
            case .rcpt: return Reply(code: 550, text: "5.7.1 Recipient rejected by policy")
            case .header, .body, .dataline, .attachment, .mimetype: return Reply(code: 554, text: "5.7.1 Message rejected by policy")
            }
        }
    }

    /// The reply when a rule on a DNS list that tempfails on failure cannot be decided.
    public static let listUnchecked = Reply(code: 451, text: "4.7.1 Could not check a DNS list, try again later")

    /// The reply when a regex hit a PCRE2 limit and the rules are fail-closed.
    public static let evaluationFailure = Reply(code: 451, text: "4.3.0 Temporary failure evaluating rules")
}
