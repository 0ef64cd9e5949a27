/// The rules file of the stage, delivery and concurrency tests: one rule per stage, each
/// matching only values a test sends on purpose, with its own code and text.
enum StageRules {
    /// The file's text; `line(of:)` finds a rule's line for the log checks.
    static let text = """
        # Interop rules: one per stage, each with its own code and text.
        helo /^helo-reject\\.example$/ reject 550 "5.7.1 HELO refused by interop rule"
        helo /^ehlo-tempfail\\.example$/ tempfail 451 "4.7.1 EHLO deferred by interop rule"
        mail /@mail-reject\\.example$/ reject 553 "5.7.1 Sender refused by interop rule"
        rcpt /^rcpt-reject/ reject 550 "5.7.1 Recipient refused by interop rule"
        header Subject /header-reject/ reject 554 "5.7.1 Header refused by interop rule"
        body /body-reject/ reject 552 "5.7.1 Body refused by interop rule"
        dataline /^X-Dataline-Tempfail:/ tempfail 452 "4.7.1 Data line deferred by interop rule"

        """

    /// The 1-based line of the rule containing `text`.
    static func line(of text: String) -> Int {
        (self.text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) } ?? -1) + 1
    }
}
