#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How much of a held message a filter keeps, and where.
///
/// A filter holds a message when its verdict on the content decides what is added at the
/// top of the message (``Filter/holdsMessage``, ``LineFilter/holdsMessage``): the output is
/// kept back until the verdict is known. The first ``memoryLimit`` bytes stay in memory;
/// beyond, the bytes go to a temporary file in ``directory`` that has no name (it is
/// unlinked from the start, or created without one), so nothing is left behind whatever
/// happens to the filter. A message larger than ``maximum`` is not held any longer: what was
/// held is passed on, the rest streams through, and no line is added to it (logged) —
/// it is never dropped or truncated. The same happens to a message whose next bytes would
/// take all the messages the filter holds at once over ``total`` (see ``HoldBudget``).
public struct MessageHoldLimits: Sendable, Equatable {
    /// Bytes of one held message kept in memory; beyond them the message is spilled to a
    /// temporary file (128 KiB by default; 0 spills every byte).
    public var memoryLimit: Int
    /// Largest message held (64 MiB by default): a message that grows past it is passed on
    /// untagged and streamed through.
    public var maximum: Int
    /// Most bytes held by all the filter's messages at once, in memory and in spill files
    /// together (256 MiB by default): a message whose next bytes would go over it is passed
    /// on untagged and streamed through, like one over ``maximum``. 0 holds no byte.
    public var total: Int
    /// The directory for spill files: `$TMPDIR`, or `/tmp` when it is not set.
    public var directory: String

    /// 128 KiB: most messages stay in memory, and 100 held large messages cost about 15 MiB.
    public static let defaultMemoryLimit = 128 << 10
    /// 64 MiB.
    public static let defaultMaximum = 64 << 20
    /// 256 MiB: four messages at the default ``maximum`` (or about seven at smtpd's default
    /// `max-message-size` of 35 MB) can be held together, and a few hundred sessions
    /// holding ordinary messages never come near it, while a burst of large ones cannot
    /// fill `$TMPDIR` (or memory) past a bound an administrator can plan for.
    public static let defaultTotal = 256 << 20

    /// `$TMPDIR` when set and not empty, else `/tmp`.
    public static var defaultDirectory: String {
        if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
        return "/tmp"
    }

    /// Creates limits; `directory` nil means ``defaultDirectory``. Negative sizes count as 0.
    public init(
        memoryLimit: Int = defaultMemoryLimit, maximum: Int = defaultMaximum, total: Int = defaultTotal,
        directory: String? = nil
    ) {
        self.memoryLimit = max(0, memoryLimit)
        self.maximum = max(0, maximum)
        self.total = max(0, total)
        self.directory = directory ?? Self.defaultDirectory
    }
}
