import Logging

extension Logger {
    /// A logger that drops every message, for code under test that wants one.
    public static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
}
