/// The rate of a `limit`: `COUNT/DURATION`, with the burst a key may spend at once, in
/// events or (for a limit declared in bytes) in bytes.
public struct Rate: Hashable, Sendable, CustomStringConvertible {
    /// Events (or bytes) per period.
    public var count: Int
    /// The period, in milliseconds.
    public var periodMilliseconds: Int64
    /// How many events (or bytes) a key may spend at once; `count` unless `burst N` says.
    public var burst: Int
    /// Whether an event over the rate still counts (Exim's `strict`): a client that keeps
    /// trying stays over; without, only admitted events count (leaky).
    public var strict: Bool
    /// Whether the count is of bytes (`50m/1h`).
    public var inBytes: Bool

    /// A rate of `count` per `periodMilliseconds`.
    public init(count: Int, periodMilliseconds: Int64, burst: Int? = nil, strict: Bool = false, inBytes: Bool = false) {
        self.count = count
        self.periodMilliseconds = periodMilliseconds
        self.burst = burst ?? count
        self.strict = strict
        self.inBytes = inBytes
    }

    /// Milliseconds one event (or byte) takes at the rate: GCRA's emission interval.
    public var interval: Double { Double(periodMilliseconds) / Double(count) }

    /// `30/1m burst 60`.
    public var description: String {
        var text = "\(count)/\(periodMilliseconds)ms"
        if burst != count { text += " burst \(burst)" }
        if strict { text += " strict" }
        return text
    }
}
