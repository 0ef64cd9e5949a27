/// The generic cell rate algorithm: one number per key, its theoretical arrival time (TAT,
/// in milliseconds), instead of a window of counts. An event of cost `c` at `now` conforms
/// when the key's TAT, brought up to `now`, plus `c` intervals stays within the burst
/// (`burst` intervals ahead of `now`); a conforming event moves the TAT on by `c` intervals.
/// A key whose TAT is behind `now` holds nothing and can be forgotten.
public enum GCRA {
    /// The outcome of one event.
    public struct Outcome: Equatable, Sendable {
        /// Whether the event puts the key over the rate.
        public var isOver: Bool
        /// The key's TAT after it.
        public var tat: Double
    }

    /// Counts an event of `cost` at `now` against a key whose TAT is `tat` (nil: a new key).
    public static func take(tat: Double?, now: Int64, cost: Int, rate: Rate) -> Outcome {
        let start = max(tat ?? 0, Double(now))
        let next = start + Double(cost) * rate.interval
        let isOver = next - Double(now) > Double(rate.burst) * rate.interval
        if isOver && !rate.strict { return Outcome(isOver: true, tat: start) }
        // Strict: an event over the rate counts too, up to one period past the burst, so
        // that a key that stops is free again after a period.
        let ceiling = Double(now) + Double(rate.burst) * rate.interval + Double(rate.periodMilliseconds)
        return Outcome(isOver: isOver, tat: min(next, ceiling))
    }
}
