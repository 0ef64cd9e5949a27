#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Message lines handed from the protocol loop to a content worker, stored back to back in
/// one buffer: a line costs a copy of its bytes on the loop, not an array of its own.
///
/// A class with memory of its own rather than a struct of two arrays: appending to the
/// arrays checked their uniqueness and capacity twice per line and copied through the
/// generic `append(contentsOf:)`, about 120 instructions of the loop's per line (callgrind);
/// here a line is one room check and one `memcpy`. `@unchecked Sendable`: the loop fills a
/// batch, then hands it over whole and never touches it again; only then does a worker read it.
///
/// The variables are `@exclusivity(unchecked)` for the same reason (one thread at a time, no
/// access overlapping another): their run-time checks were two per appended line.
final class LineBatch: @unchecked Sendable {
    /// The lines' bytes, one after the other: `byteCount` of `byteCapacity`.
    @exclusivity(unchecked) private var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var byteCapacity: Int
    /// Bytes of all lines together.
    @exclusivity(unchecked) private(set) var byteCount = 0
    /// Where each line ends in ``bytes``: `count` of `endCapacity`.
    @exclusivity(unchecked) private var ends: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private var endCapacity: Int
    /// Number of lines.
    @exclusivity(unchecked) private(set) var count = 0

    /// An empty batch with room for a few lines, grown to a full batch's room when they do
    /// not fit (not that room at once: the batch of a short message would hold it, a
    /// thousand sessions in the middle of short messages 70 MiB; nor doubling, whose copies
    /// of up to 32 KiB add up to a batch's size again).
    init() {
        byteCapacity = 4096
        bytes = .allocate(capacity: byteCapacity)
        endCapacity = 64
        ends = .allocate(capacity: endCapacity)
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }

    /// Whether the batch holds no line.
    var isEmpty: Bool { count == 0 }

    /// Adds a copy of `line`.
    func append(_ line: UnsafeBufferPointer<UInt8>) {
        let total = byteCount + line.count
        if total > byteCapacity {
            let full = SessionContentQueue.batchBytes + 4096
            bytes = Self.grown(bytes, count: byteCount, to: max(total, byteCapacity < full ? full : 2 * byteCapacity), &byteCapacity)
        }
        if count == endCapacity {
            ends = Self.grown(ends, count: count, to: max(2 * endCapacity, SessionContentQueue.batchLines), &endCapacity)
        }
        if let start = line.baseAddress { _ = memcpy(bytes + byteCount, start, line.count) }
        byteCount = total
        ends[count] = total
        count += 1
    }

    /// Calls `body` with every line in order, lent for the call from the batch's memory.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        for index in 0..<count {
            let end = ends[index]
            body(UnsafeBufferPointer(start: bytes + start, count: end - start))
            start = end
        }
    }

    /// `memory` (its first `count` elements kept) moved to an allocation of `size` elements,
    /// which `capacity` becomes.
    private static func grown<Element>(
        _ memory: UnsafeMutablePointer<Element>, count: Int, to size: Int, _ capacity: inout Int
    ) -> UnsafeMutablePointer<Element> {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: size)
        grown.moveInitialize(from: memory, count: count)
        memory.deallocate()
        capacity = size
        return grown
    }
}
