import SMTPDTestDouble
import Testing

/// What smtpd runs as its filter "rules".
enum FilterUnderTest {
    /// The built `filter-rules` with a rules file of this text.
    case filterRules(rules: String)
    /// An installed `filter-rules` (e.g. the Debian package's `/usr/bin/filter-rules`),
    /// run where it is, with a rules file of this text.
    case installed(executable: String, rules: String)
    /// `ThrowawayFilter`, to check the harness without filter-rules.
    case throwaway
}

/// Runs `body` with a real smtpd whose filter is the built `filter-rules` on `rules`.
/// smtpd is always stopped and its directory removed afterwards, also when `body` throws.
func withRealSMTPD<T>(
    rules: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (RealSMTPD) throws -> T
) throws -> T {
    try withRealSMTPD(filter: .filterRules(rules: rules), sourceLocation: sourceLocation, body)
}

/// Runs `body` with a real smtpd running `filter`, one run at a time machine-wide
/// (`InteropLock`); smtpd is always stopped and its directory removed afterwards. A process
/// of the run (smtpd's or the filter) that outlives smtpd's exit by 5 s is killed and
/// recorded as an issue of the test. With `hiding`, smtpd and so its filter run in a mount
/// namespace where the Swift toolchain's runtime libraries are hidden.
func withRealSMTPD<T>(
    filter: FilterUnderTest, hiding toolchain: HiddenToolchain? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (RealSMTPD) throws -> T
) throws -> T {
    try withSMTPDRun(start: { try RealSMTPD.start(filter, hiding: toolchain) }, sourceLocation: sourceLocation, body)
}

/// Runs `body` with the smtpd that `start` starts, one run at a time machine-wide
/// (`InteropLock`, taken before `start`); smtpd is always stopped and its directory removed
/// afterwards, also when `body` throws. A process of the run that outlives smtpd's exit by
/// 5 s is killed and recorded as an issue of the test at `sourceLocation`.
func withSMTPDRun<T>(
    start: () throws -> RealSMTPD, sourceLocation: SourceLocation,
    _ body: (RealSMTPD) throws -> T
) throws -> T {
    let lock = try InteropLock(timeout: 300)
    let server = try start()
    defer {
        let leftovers = server.stop()
        if !leftovers.isEmpty {
            Issue.record("still running 5 s after smtpd exited, killed: \(leftovers)\n\(server.logTail())", sourceLocation: sourceLocation)
        }
        server.removeDirectory()
        withExtendedLifetime(lock) {}
    }
    return try body(server)
}
