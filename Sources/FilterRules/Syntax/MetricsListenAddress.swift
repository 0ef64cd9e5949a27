/// Where the metrics endpoint listens (`set metrics ADDRESS:PORT`, `serve --metrics`):
/// `9465` (on 127.0.0.1), `127.0.0.1:9465`, `0.0.0.0:9465`, `[::1]:9465` or
/// `localhost:9465`.
public struct MetricsListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host or address to bind, without brackets.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// The address of `host` and `port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The address `text` names, nil when it names none.
    public init?(_ text: String) {
        let hostPart: Substring, portPart: Substring
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].first == ":" else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
            guard hostPart.contains(":") else { return nil }
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else { return nil }
        } else {
            hostPart = "127.0.0.1"
            portPart = text[...]
        }
        guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isLetter || $0.isNumber || ".-:_".contains($0) }),
            !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), portPart.count <= 5,
            let port = Int(portPart), (1...65535).contains(port)
        else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// `HOST:PORT`, an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// What a bad address is told, after the address: the forms that are accepted.
    public static let expectedAddress = "expected PORT or ADDRESS:PORT, e.g. 9465, 127.0.0.1:9465 or [::1]:9465"
    /// ``expectedAddress`` where `off` is accepted too (`set metrics`, `--metrics`).
    public static let expected = expectedAddress + ", or off"
}
