#if canImport(Glibc)
    import Glibc
#endif

/// The process's limit on open descriptors, which the filters it starts inherit.
public enum DescriptorLimit {
    /// Raises the soft limit towards `wanted` (as far as the hard limit allows) and returns
    /// the soft limit in force.
    @discardableResult
    public static func raise(to wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(limit.rlim_cur)
    }
}
