/// What the line protocol tells about a session: its id and, from the `link-connect`
/// report or the `connect` request, the client.
public struct LineSession: Equatable, Sendable {
    /// The session id (16 hex digits on the wire).
    public var id: UInt64
    /// The client's reverse-DNS name as the daemon found it (`<unknown>` when none).
    public var reverseDNS: String = ""
    /// The forward-confirmed reverse DNS result (`pass`, `fail`, `error`), when reported.
    public var forwardConfirmed: String = ""
    /// The client's address and port as the daemon wrote it (e.g. `192.0.2.7:40000`,
    /// `[2001:db8::1]:25`, `local`).
    public var source: String = ""
    /// The server's address and port.
    public var destination: String = ""

    /// Creates a session record.
    public init(id: UInt64) { self.id = id }

    /// The client's IP address without port or brackets; nil for local (Unix socket) clients.
    public var clientAddress: String? { LineSession.address(of: source) }

    /// The address part of `192.0.2.7`, `192.0.2.7:40000`, `[2001:db8::1]`, `[2001:db8::1]:25`
    /// or `2001:db8::1`; nil for `local`, `unix:...` and empty text.
    public static func address(of endpoint: String) -> String? {
        if endpoint.isEmpty || endpoint == "local" || endpoint.hasPrefix("unix:") { return nil }
        if endpoint.hasPrefix("[") {
            guard let close = endpoint.firstIndex(of: "]") else { return nil }
            var inner = endpoint[endpoint.index(after: endpoint.startIndex)..<close]
            if inner.lowercased().hasPrefix("ipv6:") { inner = inner.dropFirst(5) }
            return String(inner)
        }
        let colons = endpoint.filter { $0 == ":" }.count
        if colons == 1, let colon = endpoint.firstIndex(of: ":") { return String(endpoint[..<colon]) }
        return endpoint
    }
}
