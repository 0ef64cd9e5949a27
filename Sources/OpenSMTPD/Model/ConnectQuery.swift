/// The arguments of a CONNECT query: both ends of the client's connection and its name.
public struct ConnectQuery: Equatable, Sendable, CustomStringConvertible {
    /// The server's address the client connected to.
    public var local: Sockaddr
    /// The client's address.
    public var remote: Sockaddr
    /// The client's reverse-DNS name, or its address in brackets when there is none.
    public var hostname: String

    /// Creates a connect query.
    public init(local: Sockaddr, remote: Sockaddr, hostname: String) {
        self.local = local
        self.remote = remote
        self.hostname = hostname
    }

    /// `remote -> local [hostname=...]`, as the Go package `opensmtpd.v52` prints it.
    public var description: String {
        "\(remote) -> \(local) [hostname=\(hostname)]"
    }
}
