import ConfigurationFiles
import PCRE2Matching

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

/// A parsed map file: its rules and `if` blocks in file order, matched first match wins.
///
/// Not thread-safe (it owns the PCRE2 scratch space): use it from one thread.
public final class PCREMap {
    /// The file's path as given.
    public let path: String
    /// The rules and `if` tests in file order.
    public let steps: [PCREMapStep]
    /// The rules in file order (inside `if` blocks too).
    public let entries: [PCREMapEntry]
    /// The values FETCH returns in turn: those of the rules whose value refers to no
    /// group (without a key there is nothing to expand), in file order.
    public let fetchableValues: [String]
    private let scratch: MatchScratch

    /// Creates a map from steps.
    public init(path: String, steps: [PCREMapStep], limits: MatchLimits = .default) {
        self.path = path
        self.steps = steps
        self.entries = steps.compactMap { if case let .rule(entry) = $0 { return entry } else { return nil } }
        self.fetchableValues = entries.compactMap(\.value.literalText)
        self.scratch = MatchScratch(limits: limits)
    }

    /// Creates a map of plain rules.
    public convenience init(path: String, entries: [PCREMapEntry], limits: MatchLimits = .default) {
        self.init(path: path, steps: entries.map(PCREMapStep.rule), limits: limits)
    }

    /// Reads and compiles the map file at `path`.
    ///
    /// - Throws: every problem in the file, as `FILE:LINE:COLUMN: message` diagnostics.
    public static func load(path: String, limits: MatchLimits = .default) throws(MapFileError) -> PCREMap {
        let text: String
        do {
            text = try ConfigurationText.read(path: path)
        } catch {
            throw MapFileError(error)
        }
        return try compile(text: text, file: path, limits: limits)
    }

    /// Compiles map text named `file` in diagnostics.
    ///
    /// - Throws: every problem in the text.
    public static func compile(text: String, file: String, limits: MatchLimits = .default) throws(MapFileError) -> PCREMap {
        let (steps, diagnostics) = PCREMapParser.parse(text: text, file: file)
        guard diagnostics.isEmpty else { throw MapFileError(diagnostics) }
        return PCREMap(path: file, steps: steps, limits: limits)
    }

    /// Whether `regex` matches `subject`.
    private func matches(_ regex: PCRE2Regex, _ subject: [UInt8], at location: SourceLocation) throws(PCREMapError) -> Bool {
        switch regex.matches(subject, scratch: scratch) {
        case .match: return true
        case .noMatch: return false
        case let .limitExceeded(reason): throw .limitExceeded(location, reason)
        case let .failed(reason): throw .matchFailed(location, reason)
        }
    }

    /// The first rule that applies to `subject` (a key's UTF-8), `if` blocks followed; nil
    /// when none does.
    ///
    /// Uses the scratch's one-pair match data: no allocation per rule.
    ///
    /// - Throws: ``PCREMapError`` when a regex before the first match hit a limit or failed:
    ///   which rule would have applied first cannot be known then.
    private func firstEntry(matching subject: [UInt8]) throws(PCREMapError) -> PCREMapEntry? {
        var index = 0
        while index < steps.count {
            switch steps[index] {
            case let .rule(entry):
                if try matches(entry.regex, subject, at: entry.location) != entry.negated { return entry }
                index += 1
            case let .condition(regex, negated, location, skipTo):
                index = try matches(regex, subject, at: location) != negated ? index + 1 : skipTo
            }
        }
        return nil
    }

    /// The first rule that applies to `key`, with the ranges of its groups in the key's
    /// UTF-8 (none for a negated rule); nil when none applies.
    ///
    /// - Throws: ``PCREMapError`` when a regex before the first match hit a limit or failed:
    ///   which entry would have matched first cannot be known then.
    public func firstMatch(_ key: String) throws(PCREMapError) -> (entry: PCREMapEntry, groups: [Range<Int>?])? {
        try firstMatch(subject: Array(key.utf8))
    }

    private func firstMatch(subject: [UInt8]) throws(PCREMapError) -> (entry: PCREMapEntry, groups: [Range<Int>?])? {
        guard let entry = try firstEntry(matching: subject) else { return nil }
        // A negated rule applied because nothing matched: there are no groups.
        if entry.negated { return (entry, []) }
        // Only the winning entry pays for match data sized for its groups.
        switch entry.regex.captures(in: subject, scratch: scratch) {
        case let .match(groups): return (entry, groups)
        case .noMatch: throw .matchFailed(entry.location, "matched, then did not match when capturing groups")
        case let .limitExceeded(reason): throw .limitExceeded(entry.location, reason)
        case let .failed(reason): throw .matchFailed(entry.location, reason)
        }
    }

    /// Whether some rule applies to `key`.
    ///
    /// - Throws: ``PCREMapError`` as ``firstMatch(_:)``.
    public func check(_ key: String) throws(PCREMapError) -> Bool {
        try firstEntry(matching: Array(key.utf8)) != nil
    }

    /// The value of the first rule that applies to `key`, group references expanded; nil
    /// when none applies.
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
