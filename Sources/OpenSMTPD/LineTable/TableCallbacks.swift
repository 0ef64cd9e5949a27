/// What a table program sets, whichever protocol smtpd speaks: ``Table`` (table API 2,
/// OpenSMTPD up to 7.5) and ``LineTable`` (the text protocol of OpenSMTPD 7.6 and later)
/// take the same callbacks, so one program can serve both:
///
/// ```swift
/// let table: any TableCallbacks = TableProtocol.detect() == .line ? LineTable() : Table()
/// table.onLookup = { service, params, key in key == "root" ? "admin@example.org" : nil }
/// try table.serve()
/// ```
public protocol TableCallbacks: AnyObject {
    /// Reload the table's data: true when the update succeeded, false when it failed.
    var onUpdate: (() throws -> Bool)? { get set }
    /// Whether the key is in the table for the service.
    var onCheck: ((TableService, Dict, String) throws -> Bool)? { get set }
    /// The value for the key and service, or nil when there is none.
    var onLookup: ((TableService, Dict, String) throws -> String?)? { get set }
    /// The next value for the service, or nil when there is none.
    var onFetch: ((TableService, Dict) throws -> String?)? { get set }
    /// Runs once when ``serve()`` ends normally.
    var onClose: (() throws -> Void)? { get set }
    /// The table's name in smtpd.conf, known once the handshake is done.
    var name: String? { get }
    /// Answers smtpd until it closes the channel.
    func serve() throws
}

extension Table: TableCallbacks {}
