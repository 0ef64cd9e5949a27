import ArgumentParser
import CommandLineSupport
import OpenSMTPD

/// The `table-pcre` command: `serve` (the default, what smtpd runs), `check`, `lookup`.
struct TablePCRECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table-pcre",
        abstract: "Regular-expression lookup tables for OpenSMTPD.",
        discussion: """
            smtpd runs it as PATH_LIBEXEC/table-pcre for `table NAME pcre:MAPFILE`. \
            The map file holds one `/REGEX/FLAGS VALUE` per line. See table-pcre(8).
            """,
        version: filterRulesVersion,
        subcommands: [ServeCommand.self, CheckCommand.self, LookupCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// Parses `--service` values: names such as `alias`, also several joined by commas.
func parseServices(_ names: [String]) throws -> TableService {
    guard !names.isEmpty else { return .any }
    var services = TableService.none
    for name in names.flatMap({ $0.split(separator: ",") }) {
        guard let service = TableService(name: String(name)), service != .none else {
            let known = (TableService.named.map(\.name) + ["any"]).joined(separator: ", ")
            throw ValidationError("unknown service '\(name)', expected one of \(known)")
        }
        services.formUnion(service)
    }
    return services
}
