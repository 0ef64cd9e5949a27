/// A number of score points as rules write them (`6`, `-1.5`, `2.25`), kept exactly in
/// thousandths so that sums of decimals do not drift.
public struct Score: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The points in thousandths.
    public var thousandths: Int

    /// No points.
    public static let zero = Score(thousandths: 0)

    /// `thousandths` thousandths of a point.
    public init(thousandths: Int) {
        self.thousandths = thousandths
    }

    /// The number written `text`: an optional sign, digits, and up to three decimals; nil
    /// otherwise (or beyond ±1,000,000).
    public init?(_ text: String) {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 7,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), let units = Int(whole)
        else { return nil }
        var fraction = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
                return nil
            }
            fraction = value * [100, 10, 1][digits.count - 1]
        }
        let magnitude = units * 1000 + fraction
        guard magnitude <= 1_000_000_000 else { return nil }
        thousandths = negative ? -magnitude : magnitude
    }

    /// The sum.
    public static func + (lhs: Score, rhs: Score) -> Score { Score(thousandths: lhs.thousandths + rhs.thousandths) }

    /// Orders by value.
    public static func < (lhs: Score, rhs: Score) -> Bool { lhs.thousandths < rhs.thousandths }

    /// Shortest decimal form: `6`, `-1.5`, `2.25`.
    public var description: String {
        let magnitude = abs(thousandths)
        var text = "\(magnitude / 1000)"
        var fraction = magnitude % 1000
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let padded = String(repeating: "0", count: digits - "\(fraction)".count) + "\(fraction)"
            text += "." + padded
        }
        return thousandths < 0 ? "-" + text : text
    }
}

/// A `score OP N` term: how the transaction's score compares with a threshold.
public struct ScoreComparison: Hashable, Sendable, CustomStringConvertible {
    /// The comparisons a score term can make.
    public enum Operator: String, Hashable, Sendable, CaseIterable {
        case atLeast = ">="
        case above = ">"
        case below = "<"
        case atMost = "<="
    }

    /// The comparison.
    public var op: Operator
    /// The threshold.
    public var threshold: Score

    /// A comparison with `threshold`.
    public init(_ op: Operator, _ threshold: Score) {
        self.op = op
        self.threshold = threshold
    }

    /// Whether `score` passes it.
    public func holds(for score: Score) -> Bool {
        switch op {
        case .atLeast: return score >= threshold
        case .above: return score > threshold
        case .below: return score < threshold
        case .atMost: return score <= threshold
        }
    }

    /// `>= 10`.
    public var description: String { "\(op.rawValue) \(threshold)" }
}

/// The score of a session's transaction so far, and the rules it came from.
public struct ScoreSheet: Hashable, Sendable, CustomStringConvertible {
    /// One rule's points.
    public struct Part: Hashable, Sendable {
        /// The rule's place, `file:line`.
        public var symbol: String
        /// What it added.
        public var points: Score
    }

    /// The sum of the parts.
    public private(set) var total = Score.zero
    /// The rules that scored, in the order they did.
    public private(set) var parts: [Part] = []

    /// Nothing scored yet.
    public init() {}

    /// Adds `points` from the rule at `symbol`.
    public mutating func add(_ points: Score, from symbol: String) {
        total = total + points
        parts.append(Part(symbol: symbol, points: points))
    }

    /// Both sheets' parts: the session's first, then the transaction's.
    public func merged(with other: ScoreSheet) -> ScoreSheet {
        var sheet = self
        for part in other.parts { sheet.add(part.points, from: part.symbol) }
        return sheet
    }

    /// What `$symbols` says: `rules:5(6), rules:6(3)`.
    public var symbols: String { parts.map { "\($0.symbol)(\($0.points))" }.joined(separator: ", ") }

    /// `11.5 (rules:5 6, rules:6 3, …)`.
    public var description: String { parts.isEmpty ? "\(total)" : "\(total) (\(symbols))" }
}
