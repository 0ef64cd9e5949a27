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

    /// Adds a copy of `line`.
    mutating func append(_ line: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: line)
        ends.append(bytes.count)
    }

    /// Calls `body` with every line in order, as an array. One array is refilled for each
    /// line: one that `body` kept is not touched (copy on write), and otherwise no line
    /// costs an allocation.
    func forEach(_ body: ([UInt8]) -> Void) {
        var line: [UInt8] = []
        var start = 0
        for end in ends {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: bytes[start..<end])
            body(line)
            start = end
        }
    }
}
