/// The triplet greylisting keys on: the client's network (IPv4 /24, IPv6 /64: a retry may
/// come from another address of the sender's pool), the sender with its per-message parts
/// taken out, and the recipient.
enum GreylistTriplet {
    /// The triplet of the session's keys now, nil when one part is unknown (a client on a
    /// local socket, no sender or recipient yet).
    static func key(_ keys: SessionKeys) -> String? {
        guard let address = keys.address, let mail = keys.mail, let rcpt = keys.rcpt else { return nil }
        let plain = address.unmappedIPv4 ?? address
        let network = SessionKeys.network(plain, prefix: plain.isIPv4 ? 24 : 64)
        return "\(network) \(normalizedSender(mail)) \(rcpt.lowercased())"
    }

    /// The sender as greylisting sees it, so that a retry of the same message matches: a
    /// BATV tag (`prvs=TAG=user@domain`) and an SRS rewrite (`SRS0=HASH=TT=domain=user@
    /// forwarder`) give the original address, a `+extension` is dropped, and each run of
    /// digits in the local part is one `#` (VERP-style and per-message bounce addresses).
    static func normalizedSender(_ address: String) -> String {
        var text = address.lowercased()
        guard let at = text.lastIndex(of: "@") else { return text }
        var local = String(text[..<at])
        var domain = String(text[text.index(after: at)...])
        // BATV: prvs=KEYTAG=user (and the older btv1==… form).
        for prefix in ["prvs=", "msprvs1=", "btv1="] where local.hasPrefix(prefix) {
            let rest = local.dropFirst(prefix.count)
            if let equals = rest.firstIndex(of: "=") { local = String(rest[rest.index(after: equals)...]) }
        }
        // SRS: SRS0=HASH=TT=domain=local, SRS1=HASH=forwarder==HASH=TT=domain=local.
        if local.hasPrefix("srs0=") || local.hasPrefix("srs1=") {
            let parts = local.split(separator: "=", omittingEmptySubsequences: false)
            if parts.count >= 5 {
                domain = String(parts[parts.count - 2])
                local = String(parts[parts.count - 1])
            }
        }
        if let plus = local.firstIndex(of: "+") { local = String(local[..<plus]) }
        var collapsed = ""
        var inDigits = false
        for character in local {
            if character.isASCII && character.isNumber {
                if !inDigits { collapsed.append("#") }
                inDigits = true
            } else {
                collapsed.append(character)
                inDigits = false
            }
        }
        text = collapsed + "@" + domain
        return text
    }
}
