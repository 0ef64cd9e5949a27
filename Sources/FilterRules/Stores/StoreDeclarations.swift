import ConfigurationFiles
import RuleStores

/// A `limit NAME KEY COUNT/DURATION [burst N] [strict]` line.
public struct LimitDeclaration: Hashable, Sendable {
    /// What rules call it (`over NAME`).
    public var name: String
    /// What it counts by.
    public var key: StoreKeyKind
    /// The rate.
    public var rate: Rate
    /// Where it was declared.
    public var location: SourceLocation

    /// A declaration.
    public init(name: String, key: StoreKeyKind, rate: Rate, location: SourceLocation) {
        self.name = name
        self.key = key
        self.rate = rate
        self.location = location
    }
}

/// A `dynlist NAME KEY TTL` line: a list rules add to and look in.
public struct DynlistDeclaration: Hashable, Sendable {
    /// What rules call it (`in NAME`, `add-to NAME`, `remove-from NAME`).
    public var name: String
    /// What it lists.
    public var key: StoreKeyKind
    /// How long an entry stays, in milliseconds.
    public var ttlMilliseconds: Int64
    /// A list file whose entries are on the list for good (`file "PATH"` after the time to
    /// live), as written, and where its `file` word is.
    public var seed: (path: String, location: SourceLocation)?
    /// Where it was declared.
    public var location: SourceLocation

    /// A declaration.
    public init(
        name: String, key: StoreKeyKind, ttlMilliseconds: Int64, seed: (path: String, location: SourceLocation)? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.key = key
        self.ttlMilliseconds = ttlMilliseconds
        self.seed = seed
        self.location = location
    }

    public static func == (left: Self, right: Self) -> Bool {
        left.name == right.name && left.key == right.key && left.ttlMilliseconds == right.ttlMilliseconds
            && left.seed?.path == right.seed?.path && left.seed?.location == right.seed?.location && left.location == right.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(location)
    }
}
