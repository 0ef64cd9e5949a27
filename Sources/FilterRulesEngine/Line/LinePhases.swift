import FilterRules

/// The line-protocol phases the rules' stages are seen at.
public enum LinePhases {
    /// The envelope phases, registered whatever the rules need (a reload may add envelope
    /// rules, and answering proceed costs a line per command): connect for `connect` and
    /// `addr`, helo and ehlo for `helo`, mail-from for `mail`, rcpt-to for `rcpt`.
    public static let envelope = ["connect", "helo", "ehlo", "mail-from", "rcpt-to"]

    /// The content phases: every message line at data-line, the message's verdict at commit.
    /// Registering them routes every message through the filter.
    public static let content = ["data-line", "commit"]

    /// The stages seen at the content phases.
    public static let contentStages: Set<Stage> = Set(Stage.allCases.filter(\.isMessageStage))
}
