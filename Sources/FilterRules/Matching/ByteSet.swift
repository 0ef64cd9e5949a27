/// A set of byte values (0–255): the characters a piece of a regex can match or begin with,
/// as the catastrophic-shape analysis approximates them (a non-ASCII character by its first
/// UTF-8 byte).
struct ByteSet: Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// The empty set.
    static let none = ByteSet()
    /// Every byte.
    static let all: ByteSet = {
        var set = ByteSet()
        set.words = (.max, .max, .max, .max)
        return set
    }()
    /// `.` without the `s` flag: everything but a line feed.
    static let dot = all.subtracting(ByteSet(0x0a))
    /// `\d`.
    static let digits = ByteSet(range: UInt8(ascii: "0")...UInt8(ascii: "9"))
    /// `\w`: ASCII letters, digits and `_`, and (as under `u`) every non-ASCII byte.
    static let word = ByteSet(range: UInt8(ascii: "a")...UInt8(ascii: "z"))
        .union(ByteSet(range: UInt8(ascii: "A")...UInt8(ascii: "Z"))).union(digits)
        .union(ByteSet(UInt8(ascii: "_"))).union(ByteSet(range: 0x80...0xff))
    /// `\s`: space, tab, line feed, vertical tab, form feed, carriage return.
    static let space = ByteSet(range: 0x09...0x0d).union(ByteSet(0x20))
    /// `\h`: space and tab.
    static let horizontalSpace = ByteSet(0x09).union(ByteSet(0x20))
    /// `\v`: line feed to carriage return.
    static let verticalSpace = ByteSet(range: 0x0a...0x0d)

    /// The empty set.
    init() {}

    /// The set of one byte.
    init(_ byte: UInt8) {
        insert(byte)
    }

    /// The bytes that occur in `bytes`.
    init(of bytes: [UInt8]) {
        for byte in bytes { insert(byte) }
    }

    /// The bytes of `range`.
    init(range: ClosedRange<UInt8>) {
        for byte in range { insert(byte) }
    }

    /// Adds `byte`.
    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte % 64)
        switch byte / 64 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Whether `byte` is in the set.
    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte % 64)
        switch byte / 64 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// Whether the set is empty.
    var isEmpty: Bool { words == (0, 0, 0, 0) }

    /// The bytes in either set.
    func union(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
        return result
    }

    /// The bytes in both sets.
    func intersection(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 & other.words.0, words.1 & other.words.1, words.2 & other.words.2, words.3 & other.words.3)
        return result
    }

    /// The bytes of this set that are not in `other`.
    func subtracting(_ other: ByteSet) -> ByteSet {
        var result = self
        result.words = (words.0 & ~other.words.0, words.1 & ~other.words.1, words.2 & ~other.words.2, words.3 & ~other.words.3)
        return result
    }

    /// Every byte not in the set.
    var complement: ByteSet { ByteSet.all.subtracting(self) }

    /// The set with both cases of every ASCII letter in it.
    var caseFolded: ByteSet {
        var result = self
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") where contains(byte) || contains(byte - 32) {
            result.insert(byte)
            result.insert(byte - 32)
        }
        return result
    }

    /// How many bytes the set has.
    var count: Int { words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount }

    /// The bytes of the set, ascending.
    var elements: [UInt8] { (0...255).compactMap { contains(UInt8($0)) ? UInt8($0) : nil } }

    /// Whether the sets share a byte.
    func overlaps(_ other: ByteSet) -> Bool { !intersection(other).isEmpty }

    static func == (lhs: ByteSet, rhs: ByteSet) -> Bool { lhs.words == rhs.words }
}
