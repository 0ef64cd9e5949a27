import ArgumentParser

/// The `filter-bench` command: one subcommand per mode, the pipe mode when none is named.
struct FilterBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter-bench",
        abstract: "Benchmarks of filter-rules and the filter library, through the smtpd test double or in process.",
        usage: "filter-bench [<mode>] [<options>]",
        discussion: """
            Without a mode the pipe mode runs; `filter-bench MODE --help` shows a mode's options. \
            Build in release mode first (swift build -c release); the modes that drive a filter \
            process find it beside filter-bench unless --filter names another. Figures and how \
            they were measured: BENCHMARKS.md.
            """,
        subcommands: [
            PipeCommand.self, RulesCommand.self, CompileCommand.self, LineCommand.self,
            PrefilterCommand.self, HoldCommand.self, EnvelopeCommand.self, BurstCommand.self,
            ReloadCommand.self, ReloadBurstCommand.self, RobustCommand.self, ColdCommand.self, ReloadOneCommand.self,
            EvaluateCommand.self, ConditionsCommand.self, MIMECommand.self, LimitsCommand.self, DNSCommand.self,
            StoreCommand.self, MetricsCommand.self,
        ],
        defaultSubcommand: PipeCommand.self
    )
}
