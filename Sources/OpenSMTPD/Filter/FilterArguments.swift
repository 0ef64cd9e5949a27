/// The command line smtpd gives a filter: argv[0] is the filter's configured name, then its
/// configured arguments, then `-v` when the daemon traces and `-d` when it runs in the
/// foreground — after the positional arguments.
public struct FilterArguments: Equatable, Sendable {
    /// argv[0]: the filter's name in smtpd.conf.
    public var name: String
    /// The arguments that are not `-d`/`-v` flags, in order.
    public var positional: [String]
    /// `-d` was given: stay in the foreground, log to stderr.
    public var foreground = false
    /// Number of `-v` flags given (verbosity).
    public var verbosity = 0

    /// Parses `arguments` (argv[0] included). `-d`, `-v` and combinations such as `-dv`
    /// are accepted anywhere; `--` ends flag parsing.
    public init(_ arguments: [String]) {
        name = arguments.first ?? ""
        positional = []
        var flagsEnded = false
        for argument in arguments.dropFirst() {
            if !flagsEnded, argument == "--" {
                flagsEnded = true
                continue
            }
            if !flagsEnded, argument.count > 1, argument.hasPrefix("-"), !argument.hasPrefix("--"),
                argument.dropFirst().allSatisfy({ $0 == "d" || $0 == "v" })
            {
                for flag in argument.dropFirst() {
                    if flag == "d" { foreground = true } else { verbosity += 1 }
                }
                continue
            }
            positional.append(argument)
        }
    }
}
