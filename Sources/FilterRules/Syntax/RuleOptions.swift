import DNSLists
import RuleStores
import PCRE2Matching

/// The `set` options of a rules file.
public struct RuleOptions: Equatable, Sendable {
    /// Whether a regex that hits a PCRE2 limit makes its stage answer tempfail (instead of "no match").
    public var failClosed: Bool
    /// How many bytes of each message the data rules look at; 0 means the whole message.
    public var scanLimit: Int
    /// PCRE2 match and depth limits for every match, and the time limit of one input.
    public var limits: MatchLimits
    /// How long the matches of one message (its headers and lines) may take altogether.
    public var messageTimeLimit: TimeLimit
    /// How many bytes of each header (unfolded) the header rules see, and so the most the
    /// evaluator keeps of one; 0 means the whole header.
    public var headerLimit: Int
    /// Whether the file is meant to be able to have no rules (`set allow-empty on`): a
    /// reload to a file without rules, in place of one with rules, is refused otherwise.
    /// It covers the file's list files too: without it a list without entries is an error.
    public var allowEmpty: Bool
    /// Whether refusals are carried out (`enforce`) or only logged (`set mode report-only`).
    public var mode: EnforcementMode
    /// The largest message held back until its verdict is known (`set hold-limit`), when
    /// the rules have content-stage junk or add-header rules; 0 holds none.
    public var holdLimit: Int
    /// The most bytes all the messages held at once may take together, in memory and in
    /// spill files (`set hold-total`): a message whose next bytes would go over it passes
    /// on without the headers of message-stage rules; 0 holds none.
    public var holdTotal: Int
    /// What a message gets when one of its headers is longer than ``headerLimit``
    /// (`set oversized-header`).
    public var oversizedHeader: OversizedContentAction
    /// What a message gets when it goes past a bound of the MIME decoder: a decoded text
    /// line over 64 KiB, more than 1,000 parts, nesting deeper than 20, a boundary over 200
    /// bytes (`set oversized-mime`).
    public var oversizedMIME: OversizedContentAction
    /// The DNS lists declared (`dnslist NAME ZONE [CODES...]`), in file order.
    public var dnsLists: [DNSListDeclaration] = []
    /// The rate limits declared (`limit NAME KEY COUNT/DURATION`), in file order.
    public var rateLimits: [LimitDeclaration] = []
    /// The dynamic lists declared (`dynlist NAME KEY TTL`), in file order.
    public var dynlists: [DynlistDeclaration] = []
    /// Greylisting's delay, window and pass (`set greylist-delay`, `greylist-window`,
    /// `greylist-pass`).
    public var greylisting = Greylisting()
    /// Where the embedded store is kept across restarts (`set state-file PATH`), nil for
    /// nowhere (`set state-file off`).
    public var stateFile: String? = RuleOptions.defaultStateFile
    /// Where limits, dynamic lists and greylisting are kept: nil for the filter's memory
    /// (`set store memory`), else a Redis server (`set store redis://HOST:PORT/DB`,
    /// `redis+unix:///PATH?db=N`).
    public var storeEndpoint: RedisEndpoint?
    /// The file holding the Redis password (`set store-password-file`).
    public var storePasswordFile: String?
    /// What the Redis keys begin with (`set store-prefix`), so that deployments can share a
    /// server.
    public var storePrefix = "filter-rules"
    /// The most keys the embedded store keeps, limits' and lists' together (`set store-keys`).
    public var storeKeys = RuleOptions.defaultStoreKeys
    /// Where the metrics endpoint listens (`set metrics ADDRESS:PORT`); nil for no
    /// endpoint (`set metrics off`, the default). Read at start: a reload does not move it.
    public var metrics: MetricsListenAddress?
    /// The DNS servers of `set resolver` (empty: /etc/resolv.conf's).
    public var resolver: [DNSServerAddress] = []
    /// How many distinct domains of one message (its headers' addresses first, then its
    /// links' hosts) `header NAME listed` and `body links listed` terms look up
    /// (`set dnslist-domains`); later ones are not looked up.
    public var dnsListDomains = RuleOptions.defaultDNSListDomains

    /// The default of ``stateFile``, in the directory the Debian package makes for the
    /// user smtpd runs filters as.
    public static let defaultStateFile = "/var/lib/filter-rules/state"
    /// The default of ``storeKeys``: a million.
    public static let defaultStoreKeys = MemoryStore.defaultMaximumKeys
    /// The default of ``dnsListDomains``: 20 domains per message.
    public static let defaultDNSListDomains = 20
    /// The largest ``dnsListDomains``.
    public static let maximumDNSListDomains = 1000
    /// The default message time limit: 1 s.
    public static let defaultMessageTimeLimit = TimeLimit(milliseconds: 1000)
    /// The default header limit: 64 KiB.
    public static let defaultHeaderLimit = 64 * 1024
    /// The default hold limit: 64 MiB (above smtpd's default `max-message-size` of 35 MB).
    public static let defaultHoldLimit = 64 << 20
    /// The default hold total: 256 MiB, four messages at the default hold limit (the
    /// library's `MessageHoldLimits.defaultTotal`).
    public static let defaultHoldTotal = 256 << 20

    /// Creates options; the defaults are those of a file without `set` lines.
    public init(
        failClosed: Bool = false, scanLimit: Int = 0, limits: MatchLimits = .default,
        messageTimeLimit: TimeLimit = RuleOptions.defaultMessageTimeLimit,
        headerLimit: Int = RuleOptions.defaultHeaderLimit, allowEmpty: Bool = false,
        mode: EnforcementMode = .enforce, holdLimit: Int = RuleOptions.defaultHoldLimit,
        holdTotal: Int = RuleOptions.defaultHoldTotal, oversizedHeader: OversizedContentAction = .reject,
        oversizedMIME: OversizedContentAction = .reject
    ) {
        self.failClosed = failClosed
        self.scanLimit = scanLimit
        self.limits = limits
        self.messageTimeLimit = messageTimeLimit
        self.headerLimit = headerLimit
        self.allowEmpty = allowEmpty
        self.mode = mode
        self.holdLimit = holdLimit
        self.holdTotal = holdTotal
        self.oversizedHeader = oversizedHeader
        self.oversizedMIME = oversizedMIME
    }

    /// Parses a size as `set scan-limit`, `set header-limit` and `-l` take it: digits with an optional k/K
    /// (KiB) or m/M (MiB) suffix; nil when malformed.
    public static func size(_ text: String) -> Int? {
        var digits = Substring(text)
        var multiplier = 1
        switch digits.last {
        case "k", "K": multiplier = 1024; digits.removeLast()
        case "m", "M": multiplier = 1024 * 1024; digits.removeLast()
        default: break
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits),
            number <= Int(UInt32.max)
        else { return nil }
        return number * multiplier
    }
}

/// Whether a rules file's refusals are carried out.
public enum EnforcementMode: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Refusals refuse (the default).
    case enforce
    /// Refusals are logged as `would reject` (tempfail, disconnect) and the session goes on
    /// as if the rule had not matched; junk, add-header and warn still apply.
    case reportOnly = "report-only"

    /// The mode's word in rules files and on the command line.
    public var description: String { rawValue }
}

/// The two formats a rules file can be written in.
public enum RuleFileFormat: String, Hashable, Sendable, CustomStringConvertible {
    /// This tool's format: `STAGE [NAME] [!] /REGEX/FLAGS ACTION [CODE] ["TEXT"]`.
    case rules
    /// OpenSMTPD-extras filter-regex.conf: `KEYWORD [! ]REGEX`.
    case legacyFilterRegex = "filter-regex"

    /// The format's name in reports.
    public var description: String { rawValue }
}

/// A parsed rules file: format, options and rules in file order.
public struct RuleFile: Equatable, Sendable {
    /// The path it was read from.
    public var path: String
    /// The format it was read in.
    public var format: RuleFileFormat
    /// Its options.
    public var options: RuleOptions
    /// Its rules, in file order.
    public var rules: [Rule]

    /// Creates a parsed file.
    public init(path: String, format: RuleFileFormat, options: RuleOptions, rules: [Rule]) {
        self.path = path
        self.format = format
        self.options = options
        self.rules = rules
    }
}
