import ArgumentParser

/// `--filter PATH`: the filter-rules executable a mode drives.
struct FilterRulesOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The filter-rules executable to drive (default: $FILTER_RULES_PATH, else the one beside filter-bench).",
            valueName: "path"))
    var filter: String?

    /// Replaces `path` (an option struct's default) with the one --filter gave, if any.
    func apply(to path: inout String) {
        if let filter { path = filter }
    }
}
