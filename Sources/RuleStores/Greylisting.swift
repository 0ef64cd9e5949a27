/// Greylisting's times: a triplet (client network, sender, recipient) seen for the first
/// time is deferred; a retry after ``delay`` and within ``window`` of the first attempt
/// passes, and the triplet then passes for ``pass`` from its last use.
public struct Greylisting: Hashable, Sendable {
    /// How long a new triplet waits, in milliseconds (`set greylist-delay`, 5 minutes).
    public var delay: Int64
    /// How long after its first attempt a retry is taken (`set greylist-window`, 24 hours).
    public var window: Int64
    /// How long a triplet that passed keeps passing after its last use (`set
    /// greylist-pass`, 30 days).
    public var pass: Int64

    /// The defaults: 5 minutes, 24 hours, 30 days.
    public init(delay: Int64 = 300_000, window: Int64 = 86_400_000, pass: Int64 = 2_592_000_000) {
        self.delay = delay
        self.window = window
        self.pass = pass
    }

    /// The outcome of an attempt at `now` by a triplet whose entry is `entry`, and its
    /// entry after it.
    func decide(_ entry: GreylistEntry?, now: Int64) -> (GreylistOutcome, GreylistEntry) {
        if let entry, let until = entry.passUntil, until > now {
            return (.passed, GreylistEntry(firstSeen: entry.firstSeen, passUntil: now + pass))
        }
        if let entry, entry.passUntil == nil, now - entry.firstSeen < window {
            if now - entry.firstSeen >= delay {
                return (.passed, GreylistEntry(firstSeen: entry.firstSeen, passUntil: now + pass))
            }
            return (.deferred(retryAfter: entry.firstSeen + delay - now), entry)
        }
        return (.deferred(retryAfter: delay), GreylistEntry(firstSeen: now, passUntil: nil, window: window))
    }
}

/// What greylisting says of an attempt.
public enum GreylistOutcome: Hashable, Sendable {
    /// The triplet passes.
    case passed
    /// The triplet is deferred: a retry passes after this many milliseconds.
    case deferred(retryAfter: Int64)
}

/// One triplet's record.
struct GreylistEntry: Hashable, Sendable {
    /// When it was first seen (ms since the epoch).
    var firstSeen: Int64
    /// Until when it passes, once it passed.
    var passUntil: Int64?
    /// Until when it is kept: its pass, or the end of its window.
    var expiry: Int64

    init(firstSeen: Int64, passUntil: Int64?, window: Int64 = 0) {
        self.firstSeen = firstSeen
        self.passUntil = passUntil
        self.expiry = passUntil ?? (firstSeen + window)
    }
}
