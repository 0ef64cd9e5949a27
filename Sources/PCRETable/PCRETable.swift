import Logging
import OpenSMTPD
import PCRE2Matching

/// The `table-pcre` backend: answers the daemon's requests from a map file.
///
/// - CHECK: whether some line's regex matches the key.
/// - LOOKUP: the first matching line's value, group references expanded.
/// - FETCH: the values without group references in turn, starting over after the last.
/// - UPDATE: re-reads the file; when the new text has errors they are logged, the old
///   map stays in use and the answer is a failure (table API 2: `r` 0; the text protocol:
///   `error|` with the first error, which smtpd logs).
///
/// Requests for a service outside ``services`` answer "not found".
public final class PCRETable {
    /// The map file's path.
    public var path: String { map.path }
    /// The services answered; the others get "not found".
    public let services: TableService
    /// The map in use.
    public private(set) var map: PCREMap
    private let limits: MatchLimits
    private let logger: Logger
    private var fetchIndex = 0

    /// Loads the map file at `path`.
    ///
    /// - Throws: every problem in the file.
    public init(
        path: String, services: TableService = .any, limits: MatchLimits = .default,
        logger: Logger = Logger(label: "table-pcre")
    ) throws(MapFileError) {
        self.services = services
        self.limits = limits
        self.logger = logger
        self.map = try PCREMap.load(path: path, limits: limits)
    }

    /// Whether requests for `service` are answered.
    public func serves(_ service: TableService) -> Bool {
        service != .none && services.isSuperset(of: service)
    }

    /// Why the last update failed: the error count and the first error; nil after a
    /// successful one.
    public private(set) var lastUpdateFailure: UpdateFailure?

    /// A refused update, as the text protocol's `update-result|ID|error|MESSAGE` tells smtpd.
    public struct UpdateFailure: Error, Sendable, CustomStringConvertible {
        /// `FILE: N error(s), keeping the previous map; first: FILE:LINE:COLUMN: message`.
        public let description: String
    }

    /// Re-reads the map file; on errors logs them and keeps the map in use.
    ///
    /// - Returns: whether the new map is in use.
    @discardableResult
    public func update() -> Bool {
        do {
            map = try PCREMap.load(path: path, limits: limits)
            fetchIndex = 0
            lastUpdateFailure = nil
            logger.info("\(path): reloaded, \(map.entries.count) entries")
            return true
        } catch {
            for diagnostic in error.diagnostics { logger.error("\(diagnostic)") }
            logger.error("\(path): \(error.diagnostics.count) error(s), keeping the previous map (\(map.entries.count) entries)")
            let first = error.diagnostics.first.map { "; first: \($0)" } ?? ""
            lastUpdateFailure = UpdateFailure(description: "\(path): \(error.diagnostics.count) error(s), keeping the previous map\(first)")
            return false
        }
    }

    /// CHECK: whether a line matches `key`.
    ///
    /// - Throws: ``PCREMapError`` when matching failed (a temporary failure).
    public func check(service: TableService, key: String) throws(PCREMapError) -> Bool {
        guard serves(service) else { return false }
        return try map.check(key)
    }

    /// LOOKUP: the expanded value of the first line matching `key`.
    ///
    /// - Throws: ``PCREMapError`` when matching failed or the value expanded to nothing.
    public func lookup(service: TableService, key: String) throws(PCREMapError) -> String? {
        guard serves(service) else { return nil }
        return try map.lookup(key)
    }

    /// FETCH: the next value without group references, cycling through them.
    public func fetch(service: TableService) -> String? {
        guard serves(service) else { return nil }
        let values = map.fetchableValues
        guard !values.isEmpty else { return nil }
        defer { fetchIndex = (fetchIndex + 1) % values.count }
        return values[fetchIndex]
    }

    /// Sets `table`'s callbacks to answer from this map (params are not used); a refused
    /// update answers `r` 0.
    public func attach(to table: Table) {
        attachCallbacks(to: table)
    }

    /// Sets `table`'s callbacks to answer from this map; a refused update answers
    /// `error|` with ``lastUpdateFailure``, which smtpd logs.
    public func attach(to table: LineTable) {
        attachCallbacks(to: table)
        table.onUpdate = { [self] in
            if update() { return true }
            throw lastUpdateFailure ?? UpdateFailure(description: "\(path): update failed")
        }
    }

    private func attachCallbacks(to table: some TableCallbacks) {
        table.onUpdate = { [self] in update() }
        table.onCheck = { [self] service, _, key in try check(service: service, key: key) }
        table.onLookup = { [self] service, _, key in try lookup(service: service, key: key) }
        table.onFetch = { [self] service, _ in fetch(service: service) }
    }
}
