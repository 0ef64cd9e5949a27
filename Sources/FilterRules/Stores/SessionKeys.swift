/// What a session has said so far that limits and dynamic lists key on: the client's
/// address, the HELO name, the sender, the recipient being decided and the user.
struct SessionKeys {
    var address: IPAddress?
    var helo: String?
    var mail: String?
    var rcpt: String?
    var auth: String?

    /// The key of `kind` now, nil when the session has not said it (or it is nothing to
    /// count, such as a client on a local socket for an address key).
    func key(_ kind: StoreKeyKind) -> String? {
        switch kind {
        case .address(let v4, let v6):
            guard let address else { return nil }
            let plain = address.unmappedIPv4 ?? address
            let prefix = plain.isIPv4 ? v4 : v6
            return Self.network(plain, prefix: prefix)
        case .helo: return helo?.lowercased()
        case .mail: return mail?.lowercased()
        case .mailDomain: return mail.map(Self.domain)
        case .rcpt: return rcpt?.lowercased()
        case .rcptDomain: return rcpt.map(Self.domain)
        case .auth: return auth
        }
    }

    /// `address`'s network of `prefix` bits, as `network/prefix` (the address alone for a
    /// host).
    static func network(_ address: IPAddress, prefix: Int) -> String {
        prefix >= address.bytes.count * 8 ? address.description : CIDRBlock(containing: address, prefixLength: prefix).description
    }

    /// The domain of `user@domain`, lowercased (the whole text without `@`).
    static func domain(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address.lowercased() }
        return address[address.index(after: at)...].lowercased()
    }
}
