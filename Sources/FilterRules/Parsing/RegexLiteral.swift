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

    /// `text` written as a regex literal, `/TEXT/FLAGS`, every slash in it not yet escaped
    /// written `\/` (for the rules a diagnostic suggests).
    static func literal<Text: Sequence<Character>>(_ text: Text, flags: String = "") -> String {
        var result = "/"
        var escaped = false
        for character in text {
            if character == "/" && !escaped { result.append("\\") }
            result.append(character)
            escaped = !escaped && character == "\\"
        }
        return result + "/" + flags
    }
}
