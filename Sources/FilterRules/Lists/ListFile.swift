/// Reads a list file (`file "PATH"` in a rule): one entry per line, `#` starts a comment,
/// blank lines are ignored; errors name the list's `file:line`.
enum ListFile {
    /// The list at `path` (relative paths are taken from the rules file's directory), or
    /// every problem found, each at its place (`at` for a file that cannot be read).
    static func load(_ path: String, relativeTo rulesFile: String, forAddresses: Bool,
                     at location: SourceLocation) -> Result<ListMatcher, RulesFileError> {
        let resolved = resolve(path, relativeTo: rulesFile)
        let text: String
        do {
            text = try ConfigurationText.read(path: resolved)
        } catch {
            let why = error.diagnostics.first?.message ?? "cannot be read"
            return .failure(RulesFileError([RuleDiagnostic(location, "list file \(resolved): \(why)")]))
        }
        var matcher = ListMatcher()
        var problems: [RuleDiagnostic] = []
        for (number, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let entry = line.trimmingCharacters(in: " \t\r")
            guard !entry.isEmpty else { continue }
            if let problem = matcher.add(entry, forAddresses: forAddresses) {
                problems.append(RuleDiagnostic(SourceLocation(file: resolved, line: number + 1, column: 0),
                                               "bad entry '\(entry)' in an addr list: \(problem)"))
            }
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
