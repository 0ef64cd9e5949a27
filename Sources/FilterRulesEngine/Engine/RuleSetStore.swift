import ConfigurationFiles
import Foundation
import FilterRules
import RedisStore
import RuleStores
import Logging
import Synchronization

/// The rule set in force, swapped atomically on reload. Sessions take the current set when
/// they start and keep it to their end.
public final class RuleSetStore: Sendable {
    /// The file the rules are read from.
    public let path: String
    private let current: Mutex<CompiledRuleSet>
    private let scanLimitOverride: Int?
    private let modeOverride: EnforcementMode?
    private let matching: StageMatching
    private let reloadNote = Mutex<ReloadNote?>(nil)

    /// What a reload's log line adds about the new set, nil for nothing (see ``noteReloads(with:)``).
    public typealias ReloadNote = @Sendable (CompiledRuleSet) -> String?

    /// Loads `path`; throws every problem of the file when it cannot be used.
    /// - Parameters:
    ///   - scanLimit: overrides the file's `set scan-limit` (the `-l` option).
    ///   - mode: overrides the file's `set mode` (serve's `--mode`), at every reload too.
    ///   - matching: how stages find their first matching rule (serve: with a prefilter,
    ///     built in the background at start, before the swap at a reload).
    ///   - makeMetrics: the metrics to count in, made once the file is read (whose `set
    ///     metrics` says whether there are any); nil for none.
    public init(
        path: String, scanLimit: Int? = nil, mode: EnforcementMode? = nil,
        matching: StageMatching = .sequential, stores: RuleStoreAccess? = nil,
        metrics makeMetrics: (CompiledRuleSet) -> EngineMetrics? = { _ in nil }
    ) throws(RulesFileError) {
        self.path = path
        self.scanLimitOverride = scanLimit
        self.modeOverride = mode
        self.matching = matching
        let loaded = ContinuousClock.now
        let set = try Self.load(path, scanLimit: scanLimit, mode: mode, matching: matching, previous: nil)
        let metrics = makeMetrics(set)
        self.metrics = metrics
        self.stores = stores ?? Self.store(for: set, observer: metrics)
        // The first message is matched with the prefilter live: its first step takes a
        // fraction of a second (smtpd waits for a filter to register), bounded all the same.
        _ = set.waitForLivePrefilters(unless: { ContinuousClock.now - loaded > .seconds(Self.startupPrefilterWait) })
        current = Mutex(set)
    }

    /// Where every session's limits and dynamic lists are kept: one store for the process
    /// (or the dry-run), kept across reloads for the limits and lists that keep their names.
    public let stores: RuleStoreAccess

    /// Where sessions, decisions, the store and reloads are counted; nil without a metrics
    /// endpoint.
    public let metrics: EngineMetrics?

    /// The store `ruleSet` names: the embedded one, bounded as it says, or Redis (`set
    /// store redis://...`); by the wall clock.
    private static func store(for ruleSet: CompiledRuleSet, observer: (any StoreObserver)? = nil) -> RuleStoreAccess {
        let logger = Logger(label: "filter-rules")
        let options = ruleSet.options
        guard let endpoint = options.storeEndpoint else {
            var access = RuleStoreAccess(store: MemoryStore(maximumKeys: options.storeKeys, logger: logger))
            access.observer = observer
            return access
        }
        var password: String?
        if let path = options.storePasswordFile {
            // Read as the rules file is: a FIFO or directory in its place is refused, not waited on.
            do {
                let text = String(decoding: try FileBytes.read(path: path), as: UTF8.self)
                password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                logger.error("store password file \(path) cannot be read (\(error.message)); Redis is asked without one")
            }
        }
        do {
            let redis = try RedisRuleStore(
                endpoint: endpoint, password: password, prefix: options.storePrefix, observer: observer, logger: logger)
            return .remote(redis)
        } catch {
            logger.error("the Redis store \(endpoint) cannot be set up (\(error)); limits, lists and greylisting are kept in memory")
            var access = RuleStoreAccess(store: MemoryStore(maximumKeys: options.storeKeys, logger: logger))
            access.observer = observer
            return access
        }
    }

    /// How many seconds the start waits at most for the prefilters' first step.
    static let startupPrefilterWait = 10

    /// Creates a store over an already compiled set (tests, dry-runs).
    public init(ruleSet: CompiledRuleSet, stores: RuleStoreAccess? = nil) {
        self.path = ruleSet.file.path
        self.stores = stores ?? Self.store(for: ruleSet)
        self.metrics = nil
        self.scanLimitOverride = nil
        self.modeOverride = nil
        self.matching = .sequential
        current = Mutex(ruleSet)
    }

    private static func load(
        _ path: String, scanLimit: Int?, mode: EnforcementMode?, matching: StageMatching,
        previous: CompiledRuleSet?
    ) throws(RulesFileError) -> CompiledRuleSet {
        var set = try RuleSetLoader.load(path: path, carryingHitsFrom: previous, matching: matching)
        if let scanLimit { set = set.withScanLimit(scanLimit) }
        if let mode, mode != set.options.mode { set = set.withMode(mode) }
        return set
    }

    /// The set in force now.
    public var ruleSet: CompiledRuleSet { current.withLock { $0 } }

    /// Has every later reload's log line carry `note`'s text about the new set: what the
    /// daemon adapter has to say about it (the line adapter: rules for phases smtpd was not
    /// registered for). The line is logged as a warning when there is a note.
    public func noteReloads(with note: @escaping ReloadNote) {
        reloadNote.withLock { $0 = note }
    }

    /// Re-reads and compiles the file (on the caller's thread, off the query path), waits
    /// until its prefilters are live (their first step: the literal stage and the regex
    /// parts that did not change; the old set answers meanwhile) and swaps it in,
    /// logging one line and the file's warnings. On errors the old set stays and the errors
    /// are logged; so it does, with a warning, when the file has no rules where there were
    /// some and does not say `set allow-empty on` (a file cut short while being written
    /// would otherwise drop every rule). A list file that has less than half the entries
    /// it had in the old set is said on the line, logged as a warning (see
    /// ``CompiledRuleSet/shrunkLists(since:)``).
    ///
    /// A reload that `superseded` says a newer one replaces (see ``ReloadScheduler``) is
    /// abandoned once the file is compiled: its prefilter databases are built no further
    /// and the old set stays until the newer reload.
    @discardableResult
    public func reload(logger: Logger, superseded: @escaping @Sendable () -> Bool = { false }) -> Bool {
        let succeeded = reloadOnce(logger: logger, superseded: superseded)
        // An abandoned reload is neither: the newer one it gave way to counts.
        if succeeded || !superseded() { metrics?.reloaded(succeeded) }
        return succeeded
    }

    private func reloadOnce(logger: Logger, superseded: @escaping @Sendable () -> Bool) -> Bool {
        let previous = ruleSet
        // Once in force the set's regex parts are built to the end, whatever reload comes
        // next: a newer reload that fails leaves this set in force.
        let adopted = AdoptionFlag()
        do {
            let next = try Self.load(
                path, scanLimit: scanLimitOverride, mode: modeOverride,
                matching: matching.abandoning(when: { [adopted] in !adopted.isSet && superseded() }),
                previous: previous)
            if next.rules.isEmpty, !previous.rules.isEmpty, !next.options.allowEmpty {
                let message =
                    "reload of \(path) refused, the previous \(previous.rules.count) rules stay in force: "
                    + "the file has no rules (cut short?); put 'set allow-empty on' in it if it is meant to have none"
                logger.warning("\(message)")
                return false
            }
            guard !superseded(), next.waitForLivePrefilters(unless: superseded) else {
                logger.notice("reload of \(path) abandoned for a newer one: a SIGHUP came while it was being compiled; the file is read again")
                return false
            }
            current.withLock { $0 = next }
            adopted.set()
            if next.options.metrics != previous.options.metrics {
                logger.warning("reload of \(path): set metrics takes effect when the filter restarts")
            }
            if next.options.storeEndpoint != previous.options.storeEndpoint || next.options.storePrefix != previous.options.storePrefix {
                logger.warning("reload of \(path): the store stays \(stores.remote?.description ?? "memory") until the filter restarts")
            }
            stores.store?.keep(limits: Set(next.options.rateLimits.map(\.name)), lists: Set(next.options.dynlists.map(\.name)))
            stores.store?.maximumKeys = next.options.storeKeys
            let line =
                "reloaded \(path): \(next.rules.count) rules (\(next.file.format) format)"
                + (next.options.mode == .reportOnly ? ", report-only" : "")
            let notes = next.shrunkLists(since: previous) + [reloadNote.withLock({ $0 })?(next)].compactMap { $0 }
            if !notes.isEmpty {
                logger.warning("\(line); \(notes.joined(separator: "; "))")
            } else {
                logger.notice("\(line)")
            }
            for warning in next.warnings { logger.warning("\(warning.logText)") }
            return true
        } catch {
            logger.error("reload of \(path) refused, the previous rules stay in force: \(error.diagnostics.count) error(s)")
            for diagnostic in error.diagnostics { logger.error("\(diagnostic)") }
            return false
        }
    }
}

/// Whether a reloaded set has been put in force (then its prefilter is built to the end).
private final class AdoptionFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Whether it is set.
    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets it.
    func set() { value.store(true, ordering: .releasing) }
}
