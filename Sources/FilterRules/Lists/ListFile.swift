import ConfigurationFiles

/// Reads a list file (`file "PATH"` in a rule): one entry per line, `#` starts a comment,
/// blank lines are ignored; errors name the list's `file:line`.
///
/// A list cut short is refused rather than used as a smaller policy, as the rules file's own
/// guard (`set allow-empty`, see ``RuleSetLoader/noRulesWarning``) refuses a reload to no
/// rules: a list without entries (emptied, or truncated by a copy in progress) unless
/// `allowEmpty`, and a list whose last line has no newline (cut mid-line while being written).
enum ListFile {
    /// The list at `path` (relative paths are taken from the rules file's directory), or
    /// every problem found, each at its place (`at`, the rule's `file` word, for a file that
    /// cannot be read, has no entries or does not end in a newline).
    ///
    /// - Parameter allowEmpty: whether a list without entries is meant to be possible (the
    ///   rules file's `set allow-empty on`).
    static func load(
        _ path: String, relativeTo rulesFile: String, forAddresses: Bool, allowEmpty: Bool,
        at location: SourceLocation
    ) -> Result<ListMatcher, RulesFileError> {
        let resolved = resolve(path, relativeTo: rulesFile)
        let text: String
        do {
            text = try ConfigurationText.read(path: resolved)
        } catch {
            return .failure(RulesFileError([RuleDiagnostic(location, "list file \(resolved): \(error.message)")]))
        }
        var matcher = ListMatcher()
        var problems: [RuleDiagnostic] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (number, raw) in lines.enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingCharacters(in: " \t\r")
            guard !entry.isEmpty else { continue }
            if let problem = matcher.add(entry, forAddresses: forAddresses) {
                problems.append(
                    RuleDiagnostic(
                        SourceLocation(file: resolved, line: number + 1, column: 0),
                        "bad entry '\(entry)' in an addr list: \(problem)"))
            }
        }
        if let last = text.utf8.last, last != UInt8(ascii: "\n") {
            // The line the file ends on: a last line ended by a lone CR is followed by an empty piece.
            let lastLine = lines.count - (lines.last?.isEmpty == true ? 1 : 0)
            problems.append(
                RuleDiagnostic(
                    location,
                    "list file \(resolved):\(lastLine): ends without a final newline "
                        + "(cut short while being written?); end its last line with a newline"))
        }
        if matcher.count == 0 && !allowEmpty {
            problems.append(
                RuleDiagnostic(
                    location,
                    "list file \(resolved): has no entries (cut short?); "
                        + "put 'set allow-empty on' in the rules file if the list is meant to be empty"))
        }
        return problems.isEmpty ? .success(matcher) : .failure(RulesFileError(problems))
    }

    /// `path` as given, or beside the rules file when it is relative.
    static func resolve(_ path: String, relativeTo rulesFile: String) -> String {
        guard !path.hasPrefix("/"), let slash = rulesFile.lastIndex(of: "/") else { return path }
        return String(rulesFile[...slash]) + path
    }
}

extension Substring {
    /// Without the characters of `set` at both ends.
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
