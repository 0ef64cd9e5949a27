/// The kinds of lookup a table can serve (`enum table_service`), as a bit set.
public struct TableService: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The raw bitmask as the daemon sends it.
    public let rawValue: Int32

    /// Creates a service set from its bitmask.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// K_NONE: no service.
    public static let none: TableService = []
    /// K_ALIAS: aliases, `user` → expansion list.
    public static let alias = TableService(rawValue: 0x001)
    /// K_DOMAIN: domains the server handles.
    public static let domain = TableService(rawValue: 0x002)
    /// K_CREDENTIALS: `user:password-hash` for authentication.
    public static let credentials = TableService(rawValue: 0x004)
    /// K_NETADDR: network addresses and CIDR blocks.
    public static let netaddr = TableService(rawValue: 0x008)
    /// K_USERINFO: `uid:gid:home` of a local user.
    public static let userinfo = TableService(rawValue: 0x010)
    /// K_SOURCE: source addresses for outgoing connections.
    public static let source = TableService(rawValue: 0x020)
    /// K_MAILADDR: mail addresses.
    public static let mailaddr = TableService(rawValue: 0x040)
    /// K_ADDRNAME: names to announce per address.
    public static let addrname = TableService(rawValue: 0x080)
    /// K_MAILADDRMAP: mail address mappings.
    public static let mailaddrMap = TableService(rawValue: 0x100)
    /// K_RELAYHOST: relay host URLs.
    public static let relayHost = TableService(rawValue: 0x200)
    /// K_STRING: plain strings.
    public static let string = TableService(rawValue: 0x400)
    /// K_REGEX: the keys are matched against the table's regular expressions (`match
    /// ... regex <table>`, smtpd 6.4 and later); only checked, never looked up.
    public static let regex = TableService(rawValue: 0x800)
    /// K_AUTH (smtpd 7.6 and later): authentication offloaded to the table, which is asked
    /// to check the key `user:cleartext-password`. A table that registers it is never asked
    /// for ``credentials`` when smtpd authenticates.
    public static let auth = TableService(rawValue: 0x1000)
    /// K_ANY of table API 2 (0xfff): every service up to ``regex``. Not ``auth``, which
    /// changes how smtpd authenticates and must be asked for on its own.
    public static let any = TableService(rawValue: 0xfff)

    /// Each single service with the name smtpd 7.6 and later spell it with (table.c,
    /// `table_service_name`), in bit order.
    public static let named: [(service: TableService, name: String)] = [
        (.alias, "alias"), (.domain, "domain"), (.credentials, "credentials"),
        (.netaddr, "netaddr"), (.userinfo, "userinfo"), (.source, "source"),
        (.mailaddr, "mailaddr"), (.addrname, "addrname"), (.mailaddrMap, "mailaddrmap"),
        (.relayHost, "relayhost"), (.string, "string"), (.regex, "regex"), (.auth, "auth"),
    ]

    /// Older spellings still accepted by ``init(name:)``: `maddrmap`, as the Go package
    /// `opensmtpd.v52` and earlier versions of this library called ``mailaddrMap``.
    public static let aliases: [String: TableService] = ["maddrmap": .mailaddrMap]

    /// The single services in the set, in bit order (for `register|SERVICE` lines).
    public var members: [TableService] {
        Self.named.map(\.service).filter { contains($0) }
    }

    /// The service's name: a single name ("alias"), "any", "none", or names joined by "|".
    public var description: String {
        if self == .none { return "none" }
        if self == .any { return "any" }
        var names = Self.named.filter { contains($0.service) }.map(\.name)
        let known = Self.named.reduce(into: TableService.none) { $0.formUnion($1.service) }
        let unknown = rawValue & ~known.rawValue
        if unknown != 0 { names.append("0x" + String(unknown, radix: 16)) }
        return names.joined(separator: "|")
    }

    /// Looks a service up by name, case-insensitively: the names of ``named`` ("alias",
    /// "mailaddrmap", ...), the older spellings of ``aliases`` ("maddrmap"), "any", "none".
    public init?(name: String) {
        let lowered = name.lowercased()
        switch lowered {
        case "none": self = .none
        case "any": self = .any
        default:
            if let service = Self.aliases[lowered] {
                self = service
            } else if let entry = Self.named.first(where: { $0.name == lowered }) {
                self = entry.service
            } else {
                return nil
            }
        }
    }

    /// Looks a service up by the exact name smtpd 7.6+ writes into requests (table.c,
    /// `table_service_from_name`: lowercase, no older spellings); nil for any other text.
    public init?(wireName: String) {
        guard let entry = Self.named.first(where: { $0.name == wireName }) else { return nil }
        self = entry.service
    }
}
