/// A set of stages as bits (by ``Stage/ordinal``): the stages of a message that an `accept
/// stage` rule has finished. Asked for every message line; a `Set<Stage>` cost a hash and a
/// retain and release of its storage each time (callgrind).
struct StageSet {
    private var bits: UInt32 = 0

    /// An empty set.
    init() {}

    /// Whether `stage` is in the set.
    @inline(__always)
    func contains(_ stage: Stage) -> Bool { bits & (1 << stage.ordinal) != 0 }

    /// Adds `stage`.
    mutating func insert(_ stage: Stage) { bits |= 1 << stage.ordinal }
}
