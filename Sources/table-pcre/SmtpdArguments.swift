import ConfigurationFiles

/// The command line as smtpd gives it to a table program (6.0 to 7.8 alike).
enum SmtpdArguments {
    /// smtpd passes the config part of `table NAME pcre:CONFIG` as one argument, so options
    /// written there (`pcre:/etc/mail/aliases.pcre --service alias`) arrive glued to the
    /// path. A single argument containing blanks that is not the path of an existing file
    /// is therefore split at blanks; anything else is returned unchanged.
    static func normalized(_ arguments: [String]) -> [String] {
        guard arguments.count == 1, let only = arguments.first,
            only.contains(where: { $0 == " " || $0 == "\t" }),
            !FileBytes.exists(only)
        else { return arguments }
        return only.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
