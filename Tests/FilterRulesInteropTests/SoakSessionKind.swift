/// One kind of soak session: what the client says, and how the server must answer it.
struct SoakSessionKind: Sendable {
    /// A name for reports; kinds that differ only in their marker share one.
    let label: String
    /// "ehlo" or "helo".
    var greeting = "ehlo"
    /// The HELO/EHLO argument.
    var heloName = "client.soak.example"
    /// The MAIL FROM address ("" for the null sender).
    var mail = "sender@example.org"
    /// The RCPT TO addresses.
    var recipients = ["someone@example.net"]
    /// The message, sent when the session gets to DATA.
    var message = SoakMessage.small
    /// The rule that refuses the session; nil when its message is accepted and delivered.
    var refusal: SoakRules.Refusal?

    /// The replies the client must read, as "stage code", in order, QUIT's 221 last: every
    /// stage accepted up to the refusing rule's stage, which gets the rule's code (a refused
    /// recipient is the last one).
    var expectedReplies: [String] {
        var replies =
            [("connect", 220), (greeting, 250), ("mail", 250)] + recipients.map { _ in ("rcpt", 250) }
            + [("data", 354), ("message", 250)]
        if let refusal {
            let stage = refusal.stage == "helo" ? greeting : refusal.stage
            let end = replies.lastIndex { $0.0 == stage } ?? replies.endIndex
            replies = replies[..<end] + [(stage, refusal.code)]
        }
        return (replies + [("quit", 221)]).map { "\($0.0) \($0.1)" }
    }

    /// The kinds the driver's workers go through in turn, each worker starting elsewhere:
    /// two rounds of the same nine kinds, closed once by a 1 MiB message and once by a small
    /// one. Eight in twenty sessions are delivered (one of them 1 MiB), twelve refused, at
    /// each of the four stages the rules cover.
    static let cycle =
        round(closedBy: SoakSessionKind(label: "1 MiB", message: .large))
        + round(closedBy: SoakSessionKind(label: "clean"))

    private static func round(closedBy last: SoakSessionKind) -> [SoakSessionKind] {
        [
            SoakSessionKind(label: "clean"),
            SoakSessionKind(label: "bad HELO", greeting: "helo", heloName: "bad-helo.soak.example", refusal: SoakRules.heloRefusal),
            SoakSessionKind(label: "42 KB of dots, HELO", greeting: "helo", message: .dots),
            SoakSessionKind(label: "spam sender", mail: "offers@spam.example", refusal: SoakRules.mailRefusal),
            SoakSessionKind(label: "null sender", mail: ""),
            SoakSessionKind(label: "blocked recipient", recipients: ["blocked-soak@example.net"], refusal: SoakRules.rcptRefusal),
            SoakSessionKind(
                label: "two recipients, one blocked", recipients: ["someone@example.net", "blocked-second@example.net"],
                refusal: SoakRules.rcptRefusal),
            SoakSessionKind(label: "spam body", message: .spam, refusal: SoakRules.bodyRefusal),
            SoakSessionKind(label: "bad EHLO", heloName: "bad-helo.soak.example", refusal: SoakRules.heloRefusal),
            last,
        ]
    }
}
