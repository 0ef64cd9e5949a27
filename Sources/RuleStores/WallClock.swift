#if canImport(Glibc)
    import Glibc
#endif

/// The time the store counts in: milliseconds since the epoch, as the state file keeps it
/// (a monotonic clock does not survive a restart).
public enum WallClock {
    /// Now.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
