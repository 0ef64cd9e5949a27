/// The rules files of the soak: two valid variants that refuse exactly the same sessions
/// with the same replies, written differently (order, case-insensitive match, `\b`, one
/// rule more in B that no session matches), and a broken file that a reload must refuse.
/// The broken file would change the decisions if any of it applied: it has no helo, rcpt
/// or working body rule.
enum SoakRules {
    /// What a rule answers, and the start of its line in the filter's log.
    struct Refusal: Sendable {
        /// The client's stage of the reply: helo (the greeting, HELO or EHLO), mail, rcpt, message.
        let stage: String
        let code: Int
        let text: String
        /// The filter's decision line, up to the matched input: "reject 550 5.7.1 no spam, matched".
        var logged: String { "reject \(code) \(text), matched" }
    }

    static let heloRefusal = Refusal(stage: "helo", code: 550, text: "5.7.1 bad helo")
    static let mailRefusal = Refusal(stage: "mail", code: 550, text: "5.7.1 no spam")
    static let rcptRefusal = Refusal(stage: "rcpt", code: 550, text: "5.7.1 mailbox refused")
    static let bodyRefusal = Refusal(stage: "message", code: 554, text: "5.7.1 body refused")

    /// The file at start, and every other reload.
    static let variantA = """
        # Soak rules, variant A.
        helo /^bad-helo\\.soak\\.example$/ reject 550 "5.7.1 bad helo"
        mail /@spam\\.example$/ reject 550 "5.7.1 no spam"
        rcpt /^blocked-/ reject 550 "5.7.1 mailbox refused"
        body /BUY NOW/ reject 554 "5.7.1 body refused"

        """

    /// The same decisions as `variantA`, written differently.
    static let variantB = """
        # Soak rules, variant B: the refusals of A in another order and spelling.
        rcpt /^BLOCKED-/i reject 550 "5.7.1 mailbox refused"
        mail /@never\\.invalid$/ reject 550 "5.7.1 never sent"
        mail /@spam\\.example$/ reject 550 "5.7.1 no spam"
        body /\\bBUY NOW\\b/ reject 554 "5.7.1 body refused"
        helo /^bad-helo\\.soak\\.example$/ reject 550 "5.7.1 bad helo"

        """

    /// The rule counts the filter logs when it loads A or B.
    static let variantARules = 4
    static let variantBRules = 5

    /// A file with a regex error (line 2): refused by `filter-rules reload` and by the filter.
    static let broken = """
        mail /@spam\\.example$/ reject 550 "5.7.1 no spam"
        body /BUY (NOW/ reject 554 "5.7.1 body refused"

        """
}
