/// A DNS server to ask instead of /etc/resolv.conf's: `ADDRESS[:PORT]`, an IPv6 address
/// with a port written `[ADDRESS]:PORT` (a bare IPv6 address takes port 53).
public struct DNSServerAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address as written, without brackets.
    public let address: String
    /// The UDP and TCP port.
    public let port: UInt16
    /// Whether `address` is IPv6.
    public let isIPv6: Bool

    /// The server written as `text`, or nil when it is not an address with an optional port.
    public init?(_ text: String) {
        var host = text, portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        if let portText {
            guard let port = UInt16(portText), port > 0 else { return nil }
            self.port = port
        } else {
            port = 53
        }
        if IPv4Text.parse(host) != nil {
            guard !text.hasPrefix("[") else { return nil }
            isIPv6 = false
        } else if IPv6Text.isAddress(host) {
            isIPv6 = true
        } else {
            return nil
        }
        address = host
    }

    /// `ADDRESS:PORT`, or `[ADDRESS]:PORT` for IPv6: what c-ares's server list takes.
    public var description: String { isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)" }
}
