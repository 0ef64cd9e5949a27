import Testing

/// The interop tests: Debian's real smtpd on 127.0.0.1 with filter-rules attached through
/// `filter ... proc-exec`, driven by Python's smtplib. Every nested suite runs one test at
/// a time (one smtpd at a time per machine, see `InteropLock`).
@Suite(
    "filter-rules under Debian's real smtpd",
    .serialized,
    .enabled(if: RealSMTPD.isInstalled, "needs /usr/sbin/smtpd (Debian package opensmtpd)"),
    .enabled(if: RealSMTPD.canStart, "smtpd must be started as root"))
enum FilterRulesInteropTests {}
