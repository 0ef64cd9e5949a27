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
    /// K_ANY: every service.
    public static let any = TableService(rawValue: 0xfff)

    /// Each single service with the name the seed logs it under, in bit order.
    public static let named: [(service: TableService, name: String)] = [
        (.alias, "alias"), (.domain, "domain"), (.credentials, "credentials"),
        (.netaddr, "netaddr"), (.userinfo, "userinfo"), (.source, "source"),
        (.mailaddr, "mailaddr"), (.addrname, "addrname"), (.mailaddrMap, "maddrmap"),
        (.relayHost, "relayhost"), (.string, "string"),
    ]

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

    /// Looks a service up by its seed name ("alias", "maddrmap", "any", ...).
    public init?(name: String) {
        switch name.lowercased() {
        case "none": self = .none
        case "any": self = .any
        default:
            guard let entry = Self.named.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = entry.service
        }
    }
}
