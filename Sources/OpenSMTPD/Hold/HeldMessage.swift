/// The bytes of one held message, in the order they were appended: the first ones in a
/// spill file once more than ``MessageHoldLimits/memoryLimit`` were held, the last ones in
/// memory. Read back sequentially in bounded chunks, so releasing a large message never
/// needs it whole in memory.
///
/// A spill that fails (the file cannot be created or written) loses nothing: the bytes stay
/// in memory, ``spillFailure`` says why, and the owner stops holding (it releases what is
/// held and streams the rest). So does a message over ``MessageHoldLimits/maximum``, or
/// one whose bytes the shared ``HoldBudget`` has no room left for under
/// ``MessageHoldLimits/total`` (``exceedsTotal``). Owned by one thread (the event loop's).
final class HeldMessage {
    let limits: MessageHoldLimits
    /// What all the filter's holds reserve their bytes from.
    let budget: HoldBudget
    /// Bytes reserved from ``budget``, given back by ``discard()``.
    private var reserved = 0
    /// Set when an append found no room in ``budget``: the owner stops holding.
    private(set) var exceedsTotal = false
    /// Bytes held (appended) so far.
    private(set) var byteCount = 0
    /// Why spilling failed, once it did; nothing more is spilled then.
    private(set) var spillFailure: SpillError?
    private var file: SpillFile?
    private let allowTmpfile: Bool
    /// Bytes in the file: the first `fileLength` of the message.
    private var fileLength = 0
    /// The bytes after the file's.
    private var memory: [UInt8] = []
    /// Bytes read back so far.
    private var readOffset = 0

    /// A hold under `limits`, its bytes counted in `budget` (the filter's, shared by all its
    /// holds); `spillFile` replaces the file it would create (tests), and
    /// `allowTmpfile: false` creates it with mkstemp and unlink.
    init(limits: MessageHoldLimits, budget: HoldBudget, spillFile: SpillFile? = nil, allowTmpfile: Bool = true) {
        self.limits = limits
        self.budget = budget
        self.file = spillFile
        self.allowTmpfile = allowTmpfile
    }

    deinit { discard() }

    /// Whether more than ``MessageHoldLimits/maximum`` bytes are held.
    var exceedsMaximum: Bool { byteCount > limits.maximum }
    /// Why the message stops being held when ``exceedsTotal``, for the log.
    var totalReachedReason: String {
        "held messages together reached the hold total of \(limits.total) bytes"
    }
    /// Bytes kept in memory now.
    var bytesInMemory: Int { memory.count }
    /// Bytes in the spill file.
    var bytesInFile: Int { fileLength }
    /// The spill file's descriptor while there is one (tests look at it).
    var spillDescriptor: Int32? { file?.descriptor }
    /// Whether every byte was read back.
    var isExhausted: Bool { readOffset >= byteCount }

    /// Appends `bytes`; spills to the file once more than the memory limit is held. Returns
    /// false when spilling failed (this time or before): the bytes are held all the same.
    /// Bytes the budget has no room for are held too, unreserved, and set ``exceedsTotal``
    /// (the owner then passes the hold on at once, so the total is passed by one append at
    /// most while it is written out).
    @discardableResult
    func append<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if !exceedsTotal {
            let count = bytes.count
            if budget.reserve(count, within: limits.total) { reserved += count } else { exceedsTotal = true }
        }
        // Room for the memory limit and one read, reserved once: the array then never
        // doubles past it (a held message costs the limit, not twice it).
        if memory.capacity == 0 { memory.reserveCapacity(min(limits.memoryLimit, limits.maximum) + 65536) }
        memory.append(contentsOf: bytes)
        byteCount += bytes.count
        if memory.count > limits.memoryLimit && spillFailure == nil { spill() }
        return spillFailure == nil
    }

    private func spill() {
        if file == nil {
            do { file = try SpillFile.create(in: limits.directory, allowTmpfile: allowTmpfile) } catch {
                spillFailure = error
                return
            }
        }
        guard let file else { return }
        let failed = memory.withUnsafeBytes { file.write($0, at: fileLength) }
        if let failed {
            // What reached the file stays there; the rest is kept in memory.
            fileLength += failed.written
            memory.removeFirst(failed.written)
            spillFailure = failed.error
            return
        }
        fileLength += memory.count
        memory.removeAll(keepingCapacity: memory.capacity <= limits.memoryLimit + 2 * 65536)
    }

    /// The next bytes, at most `maximum` of them (empty once all were read).
    func read(upTo maximum: Int) throws(SpillError) -> [UInt8] {
        var chunk: [UInt8] = []
        if readOffset < fileLength, let file {
            let count = min(maximum, fileLength - readOffset)
            chunk.reserveCapacity(count)
            try file.read(count, at: readOffset, into: &chunk)
        } else if readOffset < byteCount {
            let start = readOffset - fileLength
            chunk = Array(memory[start..<min(memory.count, start + maximum)])
        }
        readOffset += chunk.count
        return chunk
    }

    /// Frees the memory and closes the spill file (which has no name: it is gone), and gives
    /// the bytes reserved back to the budget.
    func discard() {
        budget.release(reserved)
        reserved = 0
        file?.discard()
        file = nil
        memory = []
        fileLength = 0
        byteCount = 0
        readOffset = 0
    }
}
