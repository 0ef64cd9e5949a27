import ArgumentParser
import CommandLineSupport

/// The `filter-rules` command: `serve` (the default, what smtpd runs), `check`, `test`, `reload`, `stats`.
struct FilterRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter-rules",
        abstract: "A rule-driven filter for OpenSMTPD.",
        discussion: """
            smtpd runs it as PATH_LIBEXEC/filter-rules with the rules file as argument and may \
            append -d and -v. See filter-rules(8) and filter-rules.conf(5).
            """,
        version: filterRulesVersion,
        subcommands: [ServeCommand.self, CheckCommand.self, TestCommand.self, ReloadCommand.self, StatsCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// The default rules file.
let defaultRulesPath = "/etc/mail/filter-rules.conf"
