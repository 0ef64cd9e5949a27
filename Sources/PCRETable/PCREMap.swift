import FilterRules

/// A lookup that could not be decided: the answer is a temporary failure.
public enum PCREMapError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Matching the key against the line's regex hit a PCRE2 resource limit.
    case limitExceeded(SourceLocation, String)
    /// PCRE2 failed while matching the key against the line's regex.
    case matchFailed(SourceLocation, String)
    /// The line's value expanded to an empty string, which the daemon cannot use.
    case emptyValue(SourceLocation)

    /// `FILE:LINE: what happened`.
    public var description: String {
        switch self {
        case let .limitExceeded(location, reason): return "\(location.fileAndLine): \(reason)"
        case let .matchFailed(location, reason): return "\(location.fileAndLine): match failed: \(reason)"
        case let .emptyValue(location): return "\(location.fileAndLine): the value expanded to an empty string"
        }
    }
}

/// A parsed map file: its entries in file order, matched first match wins.
///
/// Not thread-safe (it owns the PCRE2 scratch space): use it from one thread.
public final class PCREMap {
    /// The file's path as given.
    public let path: String
    /// The entries in file order.
    public let entries: [PCREMapEntry]
    /// The values FETCH returns in turn: those of the entries whose value refers to no
    /// group (without a key there is nothing to expand), in file order.
    public let fetchableValues: [String]
    private let scratch: MatchScratch

    /// Creates a map from entries.
    public init(path: String, entries: [PCREMapEntry], limits: MatchLimits = .default) {
        self.path = path
        self.entries = entries
        self.fetchableValues = entries.compactMap(\.value.literalText)
        self.scratch = MatchScratch(limits: limits)
    }

    /// Reads and compiles the map file at `path`.
    ///
    /// - Throws: every problem in the file, as `FILE:LINE:COLUMN: message` diagnostics.
    public static func load(path: String, limits: MatchLimits = .default) throws(RulesFileError) -> PCREMap {
        try compile(text: ConfigurationText.read(path: path), file: path, limits: limits)
    }

    /// Compiles map text named `file` in diagnostics.
    ///
    /// - Throws: every problem in the text.
    public static func compile(text: String, file: String, limits: MatchLimits = .default) throws(RulesFileError) -> PCREMap {
        let (entries, diagnostics) = PCREMapParser.parse(text: text, file: file)
        guard diagnostics.isEmpty else { throw RulesFileError(diagnostics) }
        return PCREMap(path: file, entries: entries, limits: limits)
    }

    /// The first entry whose regex matches `subject` (a key's UTF-8); nil when none matches.
    ///
    /// Uses the scratch's one-pair match data: no allocation per entry.
    ///
    /// - Throws: ``PCREMapError`` when a regex before the first match hit a limit or failed:
    ///   which entry would have matched first cannot be known then.
    private func firstEntry(matching subject: [UInt8]) throws(PCREMapError) -> PCREMapEntry? {
        for entry in entries {
            switch entry.regex.matches(subject, scratch: scratch) {
            case .match: return entry
            case .noMatch: continue
            case let .limitExceeded(reason): throw .limitExceeded(entry.location, reason)
            case let .failed(reason): throw .matchFailed(entry.location, reason)
            }
        }
        return nil
    }

    /// The first entry whose regex matches `key`, with the ranges of its groups in the
    /// key's UTF-8; nil when none matches.
    ///
    /// - Throws: ``PCREMapError`` when a regex before the first match hit a limit or failed:
    ///   which entry would have matched first cannot be known then.
    public func firstMatch(_ key: String) throws(PCREMapError) -> (entry: PCREMapEntry, groups: [Range<Int>?])? {
        try firstMatch(subject: Array(key.utf8))
    }

    private func firstMatch(subject: [UInt8]) throws(PCREMapError) -> (entry: PCREMapEntry, groups: [Range<Int>?])? {
        guard let entry = try firstEntry(matching: subject) else { return nil }
        // Only the winning entry pays for match data sized for its groups.
        switch entry.regex.captures(in: subject, scratch: scratch) {
        case let .match(groups): return (entry, groups)
        case .noMatch: throw .matchFailed(entry.location, "matched, then did not match when capturing groups")
        case let .limitExceeded(reason): throw .limitExceeded(entry.location, reason)
        case let .failed(reason): throw .matchFailed(entry.location, reason)
        }
    }

    /// Whether some entry matches `key`.
    ///
    /// - Throws: ``PCREMapError`` as ``firstMatch(_:)``.
    public func check(_ key: String) throws(PCREMapError) -> Bool {
        try firstEntry(matching: Array(key.utf8)) != nil
    }

    /// The value of the first entry matching `key`, group references expanded; nil when no
    /// entry matches.
    ///
    /// - Throws: ``PCREMapError`` as ``firstMatch(_:)``, or ``PCREMapError/emptyValue(_:)``.
    public func lookup(_ key: String) throws(PCREMapError) -> String? {
        let subject = Array(key.utf8)
        guard let (entry, groups) = try firstMatch(subject: subject) else { return nil }
        let value = entry.value.expand(subject: subject, groups: groups)
        if value.isEmpty { throw .emptyValue(entry.location) }
        return value
    }
}
