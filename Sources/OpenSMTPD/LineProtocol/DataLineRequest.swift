/// A `filter|VERSION|TIMESTAMP|SUBSYSTEM|data-line|SESSION|TOKEN|LINE` request as
/// ``DataLineReader`` reads it in place: most lines of the protocol are these, and reading
/// them needs no allocation (the timestamp and subsystem are not kept).
package struct DataLineRequest: Equatable {
    /// The protocol version of the line.
    package var version: LineProtocolVersion
    /// The session id.
    package var session: UInt64
    /// The token to give back.
    package var token: UInt64
    /// Where the message line (the request's parameters) is in the protocol line.
    package var parameters: Range<Int>

    /// A request from its parts.
    package init(version: LineProtocolVersion, session: UInt64, token: UInt64, parameters: Range<Int>) {
        self.version = version
        self.session = session
        self.token = token
        self.parameters = parameters
    }
}
