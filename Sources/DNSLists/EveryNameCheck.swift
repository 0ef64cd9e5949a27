/// Whether a list answers every name: a list whose domain lapsed and now has a wildcard, or
/// a misconfigured mirror, would otherwise list every client and every domain (and refuse
/// all mail). Like rspamd's monitoring of its lists, each list is asked now and then, for
/// each kind of subject it is asked about, for a name no list holds
/// (``DNSListSubjectKind/nameNoListHolds(in:)``): when that is listed, the list's lookups
/// are unknown until a later check finds it sane again. The first check of a list runs
/// beside its first lookups, whose results wait for it.
struct EveryNameCheck {
    /// When the name was last asked for.
    var checkedAt: ContinuousClock.Instant?
    /// Whether a check is under way.
    var underWay = false
    /// Whether the last check found the name listed.
    var answersEveryName = false
    /// When that was last logged.
    var warnedAt: ContinuousClock.Instant?
    /// Whether a first check has come back (answered or failed): until then, results of
    /// the list wait for it in ``waiting``, so that no listing of a list that answers every
    /// name gets through before it is known.
    var firstDone = false
    /// Results waiting for the first check.
    var waiting: [@Sendable () -> Void] = []

    /// Whether a result of the list must wait for the first check.
    var holdsResults: Bool { underWay && !firstDone }

    /// Whether a check is due at `now` every `interval`; notes it as started when it is.
    mutating func start(at now: ContinuousClock.Instant, every interval: Duration) -> Bool {
        guard !underWay else { return false }
        if let checkedAt, now - checkedAt < interval { return false }
        checkedAt = now
        underWay = true
        return true
    }
}
