/// What the lines of the message being echoed share, looked up once per message rather than
/// per line: the session, token and protocol version it is for, the `filter-dataline|...|`
/// prefix its answers start with, the session's observer (``LineFilter/dataLineObserver``),
/// the message's entry in the hold table and, for ``LineFilter/onDataLine``, the tracked
/// session.
///
/// Made at the first line of a message (the first of its session, token and version) and
/// valid while neither the session table nor the hold table has changed since (a session
/// began, ended or was updated, a message began or ended: the session kept here, the
/// observer asked for it and the hold entry may be stale then), which the two tables' change
/// counts say.
///
/// A class, read through `Unmanaged` for every line (see ``LineFilter`` `dataLine`): the
/// fields of a struct, even one lent in place, were retained around each use, and those
/// retains and releases were a third of the serving thread's instructions per line
/// (callgrind). The prefix is kept in memory of its own for the same reason.
final class MessageLineCache {
    let session: UInt64
    let token: UInt64
    let version: LineProtocolVersion
    /// The change counts of the session table and of the hold table when it was made.
    let sessionChanges: UInt64
    let holdChanges: UInt64
    /// `filter-dataline|SESSION|TOKEN|` in the version's field order (owned: freed with the cache).
    let prefix: UnsafeBufferPointer<UInt8>
    /// The session's observer; nil for none.
    let observer: (any DataLineObserver)?
    /// The message's entry in the hold table; nil when the filter holds no message.
    let held: LineMessageHold?
    /// The tracked session, looked up at the first line that needs it (nil until then, and
    /// for a session refused at the bound).
    var trackedSession: LineSession?

    /// A cache for the message of `request`, made when the tables had changed
    /// `sessionChanges` and `holdChanges` times.
    init(
        for request: DataLineRequest, sessionChanges: UInt64, holdChanges: UInt64, prefix: [UInt8],
        observer: (any DataLineObserver)?, held: LineMessageHold?
    ) {
        session = request.session
        token = request.token
        version = request.version
        self.sessionChanges = sessionChanges
        self.holdChanges = holdChanges
        let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: prefix.count)
        _ = storage.initialize(from: prefix)
        self.prefix = UnsafeBufferPointer(storage)
        self.observer = observer
        self.held = held
    }

    deinit { prefix.deallocate() }

    /// Whether the cache is for the message of `request` and still valid.
    @inline(__always)
    func isFor(_ request: DataLineRequest, sessionChanges: UInt64, holdChanges: UInt64) -> Bool {
        session == request.session && token == request.token && version == request.version
            && self.sessionChanges == sessionChanges && self.holdChanges == holdChanges
    }
}
