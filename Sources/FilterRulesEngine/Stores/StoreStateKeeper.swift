import Dispatch
import FilterRules
import Logging
import RuleStores
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the embedded store in its state file (`set state-file`) under `serve`: read once at
/// start, written every minute and at exit, so that a restart or an upgrade keeps
/// greylisting's passes, bans and counts.
///
/// Nothing about the file is fatal: a file that cannot be read or is not one is set aside
/// (renamed `.bad`) and logged, and the store starts empty; one that cannot be written is
/// logged at most once an hour, with what to do. Rules that keep nothing in the store write
/// nothing, nor does a remote store (Redis keeps its own).
public final class StoreStateKeeper: Sendable {
    private let rules: RuleSetStore
    private let logger: Logger
    private let lastWarning = Mutex<Int64?>(nil)
    /// Held while the file is written: the timer's write and the one at exit (SIGTERM on
    /// another thread) must not write the temporary file at the same time.
    private let writing = Mutex(())
    /// The timer of the periodic writes: set once, by ``start(every:)``, and only kept
    /// (Dispatch sources are not Sendable; nothing reads it after).
    nonisolated(unsafe) private var timer: (any DispatchSourceTimer)?
    private let queue = DispatchQueue(label: "filter-rules.state-file")

    /// A keeper of `rules`' store, logging to `logger`.
    public init(rules: RuleSetStore, logger: Logger) {
        self.rules = rules
        self.logger = logger
    }

    /// Reads the state file of the rules in force into the store, then writes it every
    /// `interval`.
    public func start(every interval: DispatchTimeInterval = .seconds(60)) {
        load()
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler { [self] in save() }
        source.resume()
        timer = source
    }

    /// Reads the file (at start).
    func load() {
        let set = rules.ruleSet
        guard let path = set.options.stateFile, let memory = rules.stores.store else { return }
        let store = rules.stores
        do {
            let loaded = try memory.load(
                from: path, now: store.now(), limits: Set(set.options.rateLimits.map(\.name)), lists: Set(set.options.dynlists.map(\.name)))
            if loaded > 0 { logger.info("state file \(path): \(loaded) keys of limits, lists and greylisting read") }
        } catch {
            let aside = path + ".bad"
            let moved = rename(path, aside) == 0
            logger.warning(
                "state file \(path): \(error); \(moved ? "set aside as \(aside)" : "left as it is"), limits, lists and greylisting start empty"
            )
        }
    }

    /// Writes the file now (periodically, and at exit), when the rules keep anything in
    /// the store.
    public func save() {
        let set = rules.ruleSet
        guard let path = set.options.stateFile, set.usesStore, let memory = rules.stores.store else { return }
        let store = rules.stores
        do {
            _ = try writing.withLock { _ throws(StateFileError) in try memory.save(to: path, now: store.now()) }
        } catch {
            let now = store.now()
            let due = lastWarning.withLock { last -> Bool in
                guard last.map({ now - $0 >= 3_600_000 }) ?? true else { return false }
                last = now
                return true
            }
            if due {
                logger.warning(
                    "state file: \(error); a restart will lose limits, lists and greylisting. Make its directory for the user smtpd runs filters as (the Debian package makes /var/lib/filter-rules for opensmtpd), or set state-file off"
                )
            }
        }
    }
}
