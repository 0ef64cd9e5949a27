// table-pcre: regex lookup tables for OpenSMTPD (table API 2, OpenSMTPD 6.0.x).
//
// smtpd runs it as PATH_LIBEXEC/table-pcre with argv[0] = the table's name and argv[1] =
// everything after "pcre:" in smtpd.conf, as one argument.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

let arguments = SmtpdArguments.normalized(Array(CommandLine.arguments.dropFirst()))
do {
    var command = try TablePCRECommand.parseAsRoot(arguments)
    try command.run()
} catch {
    if TablePCRECommand.exitCode(for: error) == .validationFailure {
        // Usage errors exit 2, the "error" status of `lookup`, with the message and usage.
        printToStandardError(TablePCRECommand.fullMessage(for: error))
        exit(2)
    }
    TablePCRECommand.exit(withError: error)
}
