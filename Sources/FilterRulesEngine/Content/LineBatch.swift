/// Message lines handed from the protocol loop to a content worker, stored back to back in
/// one buffer: a line costs a copy of its bytes on the loop, not an array of its own.
struct LineBatch: Sendable {
    /// The lines' bytes, one after the other.
    private var bytes: [UInt8] = []
    /// Where each line ends in ``bytes``.
    private var ends: [Int] = []

    /// An empty batch.
    init() {}

    /// Number of lines.
    var count: Int { ends.count }
    /// Bytes of all lines together.
    var byteCount: Int { bytes.count }
    /// Whether the batch holds no line.
    var isEmpty: Bool { ends.isEmpty }

    /// Adds a copy of `line`. The first line of a batch makes room for a full batch
    /// (`bytes` and `ends` sized for ``SessionContentQueue/batchBytes``, and the line that
    /// goes over them, and ``SessionContentQueue/batchLines``), so that a batch costs one
    /// allocation each, not one per doubling.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>) {
        if ends.isEmpty {
            bytes.reserveCapacity(SessionContentQueue.batchBytes + max(line.count, 4096))
            ends.reserveCapacity(SessionContentQueue.batchLines)
        }
        bytes.append(contentsOf: line)
        ends.append(bytes.count)
    }

    /// Calls `body` with every line in order, lent for the call from the batch's buffer.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                body(UnsafeBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
    }
}
