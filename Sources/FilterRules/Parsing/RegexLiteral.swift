/// The `/REGEX/` of a rule or map line.
public enum RegexLiteral {
    /// Scans the regex whose opening `/` is at `start`: up to the next `/` not escaped by a
    /// backslash. Returns the regex text with its escapes kept for PCRE2 (`\/` included)
    /// and the index after the closing `/`, or nil when there is no closing `/`.
    public static func scan(_ line: [Character], openingAt start: Int) -> (source: String, end: Int)? {
        var source = ""
        var index = start + 1
        while index < line.count {
            let character = line[index]
            if character == "\\" && index + 1 < line.count {
                source.append(character)
                source.append(line[index + 1])
                index += 2
                continue
            }
            if character == "/" { return (source, index + 1) }
            source.append(character)
            index += 1
        }
        return nil
    }
}
