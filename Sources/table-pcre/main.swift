// table-pcre: regex lookup tables for OpenSMTPD: table API 2 (OpenSMTPD 6.0 to 7.5) and the
// text protocol of OpenSMTPD 7.6 and later, detected from smtpd's first bytes.
//
// smtpd runs it as PATH_LIBEXEC/table-pcre with argv[0] = the table's name and argv[1] =
// everything after "pcre:" in smtpd.conf, as one argument.
import ArgumentParser
import CommandLineSupport
#if canImport(Glibc)
    import Glibc
#endif

let arguments = SmtpdArguments.normalized(Array(CommandLine.arguments.dropFirst()))
TablePCRECommand.runExitingTwoOnUsageErrors(arguments)
