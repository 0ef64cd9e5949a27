#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes in memory of their own, grown as needed: the line channel's input and its queue
/// of answers. Not an array because these are touched for every message line: an array
/// that is a class's property is retained for each use and checked for uniqueness at each
/// append, which with the copies of `append(contentsOf:)` came to about a fifth of the
/// serving thread's instructions per line (callgrind). Appending here is one `memcpy`.
///
/// Non-copyable, so the memory has one owner and is freed with it.
struct ByteBuffer: ~Copyable {
    /// The first byte.
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes the memory holds.
    private(set) var capacity: Int
    /// Bytes in use, from ``base``.
    var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes in use.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Room for at least `minimum` bytes (the bytes in use are kept).
    mutating func reserve(_ minimum: Int) {
        guard minimum > capacity else { return }
        resize(to: max(minimum, 2 * capacity))
    }

    /// Gives the memory `size` bytes exactly (at least ``count``), keeping the bytes in use.
    mutating func resize(to size: Int) {
        let size = max(size, count, 16)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }

    /// Appends `bytes`.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { reserve(count + bytes.count) }
        _ = memcpy(base + count, source, bytes.count)
        count += bytes.count
    }

    /// Appends a line: `head`, `body` and a `\n`, with room made once.
    @inline(__always)
    mutating func appendLine(_ head: UnsafeBufferPointer<UInt8>, _ body: UnsafeBufferPointer<UInt8>) {
        let total = count + head.count + body.count + 1
        if total > capacity { reserve(total) }
        // Counts of buffers in memory cannot overflow; the bounds were just made room for.
        var end = base + count
        if let start = head.baseAddress { _ = memcpy(end, start, head.count) }
        end += head.count
        if let start = body.baseAddress { _ = memcpy(end, start, body.count) }
        end[body.count] = 10
        count = total
    }

    /// Appends the bytes of `array`.
    @inline(__always)
    mutating func append(_ array: [UInt8]) {
        array.withUnsafeBufferPointer { append($0) }
    }

    /// Appends one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { reserve(count + 1) }
        base[count] = byte
        count += 1
    }

    /// Drops the first `prefix` bytes in use, moving the rest to the front.
    mutating func removeFirst(_ prefix: Int) {
        precondition(prefix >= 0 && prefix <= count)
        if prefix < count { _ = memmove(base, base + prefix, count - prefix) }
        count -= prefix
    }
}
