import ConfigurationFiles
import DNSLists

/// The checks of a file's DNS list declarations against each other and against the terms
/// that use them.
enum DNSListCheck {
    /// The diagnostic of a `listed NAME` term whose list is not declared.
    static func undeclared(_ name: String, at location: SourceLocation) -> RuleDiagnostic {
        RuleDiagnostic(location, "no DNS list named \(name): declare it with 'dnslist \(name) ZONE [CODES...]', e.g. dnslist \(name) zen.spamhaus.org")
    }
}
