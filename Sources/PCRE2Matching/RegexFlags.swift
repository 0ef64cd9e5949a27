import CPCRE2

/// The flags that may follow a regular expression in a rule (`/pattern/flags`).
///
/// Each flag maps onto one or more PCRE2 compile options.
public struct RegexFlags: OptionSet, Sendable, Hashable {
    /// The bit set of flags.
    public let rawValue: UInt8

    /// Creates a flag set from its raw bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `i`: case-insensitive matching (`PCRE2_CASELESS`).
    public static let caseless = RegexFlags(rawValue: 1 << 0)
    /// `x`: whitespace and `#` comments in the pattern are ignored (`PCRE2_EXTENDED`).
    public static let extended = RegexFlags(rawValue: 1 << 1)
    /// `s`: `.` also matches newlines (`PCRE2_DOTALL`).
    public static let dotAll = RegexFlags(rawValue: 1 << 2)
    /// `m`: `^` and `$` match at line boundaries (`PCRE2_MULTILINE`).
    public static let multiline = RegexFlags(rawValue: 1 << 3)
    /// `u`: the pattern and subject are UTF-8 (`PCRE2_UTF`); invalid UTF-8 in a subject
    /// never matches a character but never makes matching fail (`PCRE2_MATCH_INVALID_UTF`).
    public static let utf = RegexFlags(rawValue: 1 << 4)

    /// The flags and their letters, in canonical order.
    private static let table: [(letter: Character, flag: RegexFlags)] = [
        ("i", .caseless), ("x", .extended), ("s", .dotAll), ("m", .multiline), ("u", .utf),
    ]

    /// Parses flag letters such as `"ix"`; duplicate letters are allowed.
    ///
    /// On an unknown letter returns a failure carrying the letter and its
    /// `Character` offset in `letters`.
    public static func parse(_ letters: Substring) -> Result<RegexFlags, RegexFlagError> {
        var flags = RegexFlags()
        for (offset, letter) in letters.enumerated() {
            guard let entry = table.first(where: { $0.letter == letter }) else {
                return .failure(RegexFlagError(offset: offset, letter: letter))
            }
            flags.insert(entry.flag)
        }
        return .success(flags)
    }

    /// The flags as letters in canonical order `i`, `x`, `s`, `m`, `u`.
    public var letters: String {
        String(Self.table.filter { contains($0.flag) }.map(\.letter))
    }

    /// The PCRE2 compile options these flags stand for.
    var compileOptions: UInt32 {
        var options: UInt32 = 0
        if contains(.caseless) { options |= PCRE2_CASELESS }
        if contains(.extended) { options |= PCRE2_EXTENDED }
        if contains(.dotAll) { options |= PCRE2_DOTALL }
        if contains(.multiline) { options |= PCRE2_MULTILINE }
        if contains(.utf) { options |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF }
        return options
    }
}

/// An unknown letter among a regular expression's flags.
public struct RegexFlagError: Error, Sendable, Equatable {
    /// The `Character` offset of the bad letter in the flag letters.
    public var offset: Int
    /// The bad letter.
    public var letter: Character
    /// A human-readable description, e.g. `unknown flag 'q', expected one of i, x, s, m, u`.
    public var message: String

    /// Creates the error for `letter` at `offset`, with the standard message.
    public init(offset: Int, letter: Character) {
        self.offset = offset
        self.letter = letter
        self.message = "unknown flag '\(letter)', expected one of i, x, s, m, u"
    }
}
