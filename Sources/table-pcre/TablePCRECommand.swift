import ArgumentParser
import CommandLineSupport
import OpenSMTPD

/// The `table-pcre` command: `serve` (the default, what smtpd runs), `check`, `lookup`.
struct TablePCRECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table-pcre",
        abstract: "Regular-expression lookup tables for OpenSMTPD.",
        discussion: """
            smtpd runs it as PATH_LIBEXEC/table-pcre for `table NAME pcre:MAPFILE`, \
            speaking table API 2 (OpenSMTPD 6.0 to 7.5) or the text protocol of 7.6 and later. \
            The map file is in the format of Postfix's pcre_table(5). See table-pcre(8).
            """,
        version: filterRulesVersion,
        subcommands: [ServeCommand.self, CheckCommand.self, LookupCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// Parses `--service` values: names such as `alias` (as smtpd 7.6+ spells them; the older
/// `maddrmap` too), also several joined by commas. `auth` is refused: smtpd would then send
/// `user:cleartext-password` keys to be matched against regular expressions instead of
/// looking up `credentials`.
func parseServices(_ names: [String]) throws -> TableService {
    guard !names.isEmpty else { return .any }
    var services = TableService.none
    for name in names.flatMap({ $0.split(separator: ",") }) {
        guard let service = TableService(name: String(name)), service != .none else {
            let known = (TableService.named.map(\.name).filter { $0 != "auth" } + ["any"]).joined(separator: ", ")
            throw ValidationError("unknown service '\(name)', expected one of \(known)")
        }
        if service == .auth {
            throw ValidationError(
                """
                table-pcre does not serve 'auth': smtpd would ask it to match user:cleartext-password \
                against regular expressions; serve 'credentials' (user:encrypted-password values) instead
                """)
        }
        services.formUnion(service)
    }
    return services
}
