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
