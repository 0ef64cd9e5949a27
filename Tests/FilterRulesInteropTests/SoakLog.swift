/// What the soak reads in smtpd's log, the filter's stderr included (each line prefixed
/// "rules: ", see `LogLineFormat`).
struct SoakLog {
    let text: String
    /// The rules file the filter serves.
    let rulesPath: String

    /// How often `fragment` occurs.
    func count(_ fragment: String) -> Int { text.components(separatedBy: fragment).count - 1 }

    /// The filter's lines that are none of: its start, a session's decision, a SIGHUP and the
    /// reload of a valid file, the refusal of the broken file (its summary and its one
    /// diagnostic). A crash, a protocol error or a warning would be such a line.
    var unexpectedFilterLines: [Substring] {
        let expected = [
            "rules: loaded \(rulesPath): ",
            "rules: notice: session ",
            "rules: notice: SIGHUP: reloading \(rulesPath)",
            "rules: notice: reloaded \(rulesPath): ",
            "rules: error: reload of \(rulesPath) refused, the previous rules stay in force: 1 error(s)",
            "rules: error: \(rulesPath):2:",
        ]
        return filterLines.filter { line in !expected.contains { line.hasPrefix($0) } }
    }

    /// Lines of smtpd that tell of a crash or a lost process.
    var crashLines: [Substring] {
        let signs = ["fatal", "Fatal", "crash", "lost child", "exited abnormally", "terminated", "Segmentation", "core dumped"]
        return text.split(separator: "\n").filter { line in signs.contains { line.contains($0) } }
    }

    private var filterLines: [Substring] { text.split(separator: "\n").filter { $0.hasPrefix("rules: ") } }
}
