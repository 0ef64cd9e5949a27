/// What a `limit` or `dynlist` counts or lists by: the KEY of its declaration.
public enum StoreKeyKind: Hashable, Sendable, CustomStringConvertible {
    /// The client's address, as its network of `v4` bits (IPv4) or `v6` bits (IPv6):
    /// `addr` is a host (32 bits; 64 for IPv6, a host's network there), `addr/24` a /24
    /// (IPv6 /64), `addr/24/48` both.
    case address(v4: Int, v6: Int)
    /// The HELO/EHLO name.
    case helo
    /// The sender, `user@domain` (`<>` for the null sender).
    case mail
    /// The sender's domain.
    case mailDomain
    /// The recipient.
    case rcpt
    /// The recipient's domain.
    case rcptDomain
    /// The authenticated user (at `authfail`, the user name tried).
    case auth

    /// Reads a KEY word: `addr`, `addr/N`, `addr/N/M`, `helo`, `mail`, `mail-domain`,
    /// `rcpt`, `rcpt-domain`, `auth`.
    public static func parse(_ word: String) -> StoreKeyKind? {
        let lower = word.lowercased()
        switch lower {
        case "helo": return .helo
        case "mail": return .mail
        case "mail-domain": return .mailDomain
        case "rcpt": return .rcpt
        case "rcpt-domain": return .rcptDomain
        case "auth": return .auth
        default: break
        }
        let parts = lower.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.first == "addr", parts.count <= 3 else { return nil }
        let v4 = parts.count >= 2 ? Int(parts[1]) : 32
        let v6 = parts.count == 3 ? Int(parts[2]) : 64
        guard let v4, let v6, (1...32).contains(v4), (1...128).contains(v6) else { return nil }
        return .address(v4: v4, v6: v6)
    }

    /// The keys as `check` and errors list them.
    public static let keywords = "addr, addr/N (IPv4 /N; addr/N/M also IPv6 /M), helo, mail, mail-domain, rcpt, rcpt-domain or auth"

    /// The first stage at which the key is known: the address at connect, the HELO name at
    /// HELO, the sender and the user (final at MAIL FROM) at MAIL, the recipient at RCPT.
    public var knownFrom: Stage {
        switch self {
        case .address: return .connect
        case .helo: return .helo
        case .mail, .mailDomain, .auth: return .mail
        case .rcpt, .rcptDomain: return .rcpt
        }
    }

    /// Whether the key is known at `stage`: from ``knownFrom`` on, and a recipient only at
    /// RCPT (a message has several).
    public func isKnown(at stage: Stage) -> Bool {
        // AUTH comes before MAIL FROM: a failed attempt knows the client, its HELO and the
        // user name tried.
        if stage == .authfail {
            switch self {
            case .address, .helo, .auth: return true
            default: return false
            }
        }
        switch self {
        case .rcpt, .rcptDomain: return stage == .rcpt
        default: return Self.order(of: stage) >= Self.order(of: knownFrom)
        }
    }

    /// Where a stage comes in a session.
    private static func order(of stage: Stage) -> Int {
        switch stage {
        case .connect, .addr, .fcrdns: return 0
        case .helo, .tls: return 1
        case .auth, .authfail, .mail: return 2
        case .rcpt: return 3
        default: return 4
        }
    }

    /// As written.
    public var description: String {
        switch self {
        case .address(let v4, let v6):
            if v4 == 32 && v6 == 64 { return "addr" }
            return v6 == 64 ? "addr/\(v4)" : "addr/\(v4)/\(v6)"
        case .helo: return "helo"
        case .mail: return "mail"
        case .mailDomain: return "mail-domain"
        case .rcpt: return "rcpt"
        case .rcptDomain: return "rcpt-domain"
        case .auth: return "auth"
        }
    }
}
