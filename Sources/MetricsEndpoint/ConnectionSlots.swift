import NIOCore
import Synchronization

/// The endpoint's open connections, oldest first, at most a given number: a connection
/// past it has the oldest closed, so that idle connections cannot lock scrapers out.
final class ConnectionSlots: Sendable {
    private let maximum: Int
    private let open = Mutex<[any Channel]>([])

    /// Slots for `maximum` connections.
    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// Counts `channel` in; returns the connection to close to make room, if any.
    func admit(_ channel: any Channel) -> (any Channel)? {
        open.withLock { open in
            open.append(channel)
            return open.count > maximum ? open.removeFirst() : nil
        }
    }

    /// Counts `channel` out.
    func remove(_ channel: any Channel) {
        open.withLock { open in open.removeAll { $0 === channel } }
    }

    /// Connections open now.
    var count: Int { open.withLock { $0.count } }
}
