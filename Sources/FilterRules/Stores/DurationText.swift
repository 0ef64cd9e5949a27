/// Durations as `limit`, `dynlist` and the greylisting options take them (and the
/// dry-run's `#! time` and `--at`): a number and a unit, `s`, `m`, `h` or `d` (`30s`, `1m`,
/// `10m`, `1h`, `7d`), at most 366 days.
public enum DurationText {
    /// The duration in milliseconds; nil when malformed or not positive.
    public static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let number = Int64(text.dropLast()), number > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow || value > 366 * 86_400_000 ? nil : value
    }
}
