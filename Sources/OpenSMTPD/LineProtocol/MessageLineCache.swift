/// What the lines of the message being echoed share, looked up once per message rather than
/// per line: the session, token and protocol version it is for, the `filter-dataline|...|`
/// prefix its answers start with, the session's observer (``LineFilter/dataLineObserver``)
/// and, for ``LineFilter/onDataLine``, the tracked session.
///
/// Made at the first line of a message (the first of its session, token and version) and
/// dropped by ``LineFilter`` whenever its session table changes (a session begins, ends or
/// is updated: the session kept here, and the observer asked for it, may be stale then).
struct MessageLineCache {
    let session: UInt64
    let token: UInt64
    let version: LineProtocolVersion
    /// `filter-dataline|SESSION|TOKEN|` in the version's field order.
    let prefix: [UInt8]
    /// The session's observer; nil for none.
    let observer: (any DataLineObserver)?
    /// The tracked session, looked up at the first line that needs it (nil until then, and
    /// for a session refused at the bound).
    var trackedSession: LineSession?

    /// Whether the cache is for the message of `request`.
    func isFor(_ request: DataLineRequest) -> Bool {
        session == request.session && token == request.token && version == request.version
    }
}
