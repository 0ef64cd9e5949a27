import FilterRules

/// The names of the engine's metrics, in the conventions of Prometheus exporters
/// (`_total` counters, `_seconds` durations, labels of few values: never an address, a
/// sender or a recipient). filter-rules(8) lists them with their labels.
public enum MetricNames {
    /// `filter_rules_build_info{version}`: 1.
    public static let buildInfo = "filter_rules_build_info"
    /// `filter_rules_rules_info{file,hash}`: 1, for the rule set in force.
    public static let rulesInfo = "filter_rules_rules_info"
    /// `filter_rules_rules_loaded`: rules in the set in force.
    public static let rulesLoaded = "filter_rules_rules_loaded"
    /// `filter_rules_reloads_total{result}`: ok or failed.
    public static let reloads = "filter_rules_reloads_total"
    /// `filter_rules_config_last_reload_successful`: 1 when the last reload (or the start) put its file in force.
    public static let lastReloadSuccessful = "filter_rules_config_last_reload_successful"
    /// `filter_rules_decisions_total{stage,action,mode}`.
    public static let decisions = "filter_rules_decisions_total"
    /// `filter_rules_rule_hits_total{rule,stage,action}`: the numbers of the SIGUSR1 dump.
    public static let ruleHits = "filter_rules_rule_hits_total"
    /// `filter_rules_sessions_active`.
    public static let sessionsActive = "filter_rules_sessions_active"
    /// `filter_rules_sessions_total`.
    public static let sessionsTotal = "filter_rules_sessions_total"
    /// `filter_rules_messages_total{result}`: accept, junk, reject, tempfail or disconnect.
    public static let messages = "filter_rules_messages_total"
    /// `filter_rules_message_bytes_total`: the bytes of the messages' lines, one per line ending.
    public static let messageBytes = "filter_rules_message_bytes_total"
    /// `filter_rules_messages_held`: messages being held for their verdict now.
    public static let messagesHeld = "filter_rules_messages_held"
    /// `filter_rules_evaluation_seconds{stage}`: a histogram of each step's evaluation (a
    /// message's at its end, all its lines together).
    public static let evaluationSeconds = "filter_rules_evaluation_seconds"
    /// `filter_rules_regex_limit_hits_total{stage}`: regexes stopped by a PCRE2 or time limit.
    public static let regexLimitHits = "filter_rules_regex_limit_hits_total"
    /// `filter_rules_prefilter_live{stage}`: 1 when the stage's prefilter is in use.
    public static let prefilterLive = "filter_rules_prefilter_live"
    /// `filter_rules_prefilter_building{stage}`: 1 while parts of the stage's prefilter are built.
    public static let prefilterBuilding = "filter_rules_prefilter_building"
    /// `filter_rules_prefilter_rules{stage}`: the stage's rules.
    public static let prefilterRules = "filter_rules_prefilter_rules"
    /// `filter_rules_dnslist_queries_total{list,result}`: listed, clean, timeout, error or blocked.
    public static let dnsQueries = "filter_rules_dnslist_queries_total"
    /// `filter_rules_dnslist_cache_hits_total{list}`.
    public static let dnsCacheHits = "filter_rules_dnslist_cache_hits_total"
    /// `filter_rules_dnslist_lookup_seconds{list}`: a histogram.
    public static let dnsLookupSeconds = "filter_rules_dnslist_lookup_seconds"
    /// `filter_rules_store_calls_total{backend,result}`: ok, timeout, error or unavailable.
    public static let storeCalls = "filter_rules_store_calls_total"
    /// `filter_rules_store_breaker_open{backend}`: 1 while the last call found the circuit breaker open.
    public static let storeBreakerOpen = "filter_rules_store_breaker_open"
    /// `filter_rules_limit_exceeded_total{limit}`.
    public static let limitExceeded = "filter_rules_limit_exceeded_total"

    /// The duration histograms and their buckets, in seconds.
    public static let durationBuckets: [String: [Duration]] = [
        evaluationSeconds: [
            .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
            .milliseconds(500), .seconds(1), .seconds(5),
        ],
        dnsLookupSeconds: [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
        ],
    ]
}

extension RuleAction {
    /// The action's keyword as a metric labels it: `reject`, `add-header`, `score`, ...
    var metricLabel: String {
        switch self {
        case .accept: return "accept"
        case .reject: return "reject"
        case .tempfail: return "tempfail"
        case .disconnect: return "disconnect"
        case .junk: return "junk"
        case .addHeader: return "add-header"
        case .warn: return "warn"
        case .score: return "score"
        case .addTo: return "add-to"
        case .removeFrom: return "remove-from"
        case .greylist: return "greylist"
        }
    }
}
