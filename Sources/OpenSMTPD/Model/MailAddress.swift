/// A mail address as the daemon passes it (`struct mailaddr`): local part and domain.
public struct MailAddress: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Size of each character array in `struct mailaddr` (SMTPD_MAXLOCALPARTSIZE, SMTPD_MAXDOMAINPARTSIZE).
    public static let fieldSize = 256

    /// The local part, possibly empty (the null sender `<>` has both parts empty).
    public var user: String
    /// The domain, possibly empty.
    public var domain: String

    /// Creates an address from its parts.
    public init(user: String, domain: String) {
        self.user = user
        self.domain = domain
    }

    /// `user@domain`, `user` without a domain, or `<>` for the null sender.
    public var description: String {
        if user.isEmpty && domain.isEmpty { return "<>" }
        if domain.isEmpty { return user }
        return "\(user)@\(domain)"
    }
}

extension MailAddress {
    /// Reads the address from the argument of `MAIL FROM:` / `RCPT TO:` as the line
    /// protocol passes it: `<user@domain> PARAM=...`, `user@domain`, `<>`, or a source
    /// route `<@relay:user@domain>`. Extension parameters after the address are ignored;
    /// the domain is what follows the last `@`.
    public init(commandArgument: String) {
        var text = Substring(commandArgument).drop { $0 == " " || $0 == "\t" }
        if text.hasPrefix("<") {
            text = text.dropFirst()
            text = text.prefix { $0 != ">" }
            if text.hasPrefix("@"), let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        } else {
            text = text.prefix { $0 != " " && $0 != "\t" }
        }
        if let at = text.lastIndex(of: "@") {
            self.init(user: String(text[..<at]), domain: String(text[text.index(after: at)...]))
        } else {
            self.init(user: String(text), domain: "")
        }
    }
}
