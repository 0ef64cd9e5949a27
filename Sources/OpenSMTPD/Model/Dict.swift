/// String keys to string values, in the order the daemon sent them (the `struct dict` of a
/// table request's params).
public struct Dict: Equatable, Sendable, Sequence, CustomStringConvertible, ExpressibleByDictionaryLiteral {
    /// The key/value pairs in order.
    public private(set) var pairs: [(key: String, value: String)] = []

    /// Creates an empty dictionary.
    public init() {}

    /// Creates a dictionary from pairs; a later duplicate key replaces the earlier value.
    /// Linear in the number of pairs, however many the daemon sends.
    public init(_ pairs: [(String, String)]) {
        var positions: [String: Int] = [:]
        for (key, value) in pairs {
            if let position = positions[key] {
                self.pairs[position].value = value
            } else {
                positions[key] = self.pairs.count
                self.pairs.append((key, value))
            }
        }
    }

    /// Creates a dictionary from a literal.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Number of keys.
    public var count: Int { pairs.count }
    /// Whether there are no keys.
    public var isEmpty: Bool { pairs.isEmpty }
    /// The keys in order.
    public var keys: [String] { pairs.map(\.key) }

    /// The value for `key`; assigning nil removes the key.
    public subscript(key: String) -> String? {
        get { pairs.first(where: { $0.key == key })?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.key == key }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((key, newValue))
            }
        }
    }

    /// Iterates over the pairs in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        pairs.makeIterator()
    }

    /// Pairs equal in order, keys and values.
    public static func == (lhs: Dict, rhs: Dict) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// `{key=value, ...}` in order.
    public var description: String {
        "{" + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
    }
}
