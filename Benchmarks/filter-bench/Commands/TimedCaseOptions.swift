import ArgumentParser

/// The options of the modes that drive a filter-rules process case by case (rules, line,
/// prefilter, hold, envelope): `--filter`, `--seconds`, `--quick`, read into ``RulesOptions``.
struct TimedCaseOptions: ParsableArguments {
    @OptionGroup var filter: FilterRulesOption

    @Option(
        help: ArgumentHelp(
            "Seconds each case (or round) is measured, at least; the mode's overview says what a case is "
                + "(default: 1.5; 0.3 with --quick).",
            valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter cases (and 3 compile runs instead of 5 in the rules mode).")
    var quick = false

    /// The options the benchmark functions take: --quick's values, then --filter and --seconds over them.
    func rulesOptions() -> RulesOptions {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        if let seconds { options.secondsPerCase = seconds }
        return options
    }
}
