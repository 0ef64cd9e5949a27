/// Splits a message's data stream into lines, hands each to a callback and collects the
/// output bytes: the in-memory half of the data pipe, free of descriptors.
///
/// Unchanged lines are copied byte for byte; a last line without `\n` stays without one.
/// A line longer than ``maximumLineLength`` is passed through unchanged without being shown
/// to the callback, so nothing is lost and memory stays bounded.
struct MessageDataProcessor {
    /// Bytes of an unfinished line.
    private var partial: [UInt8] = []
    /// Whether the current line grew past the limit and is being streamed through.
    private var streamingLongLine = false
    /// Bytes read from the input so far.
    private(set) var inputByteCount = 0
    /// Bytes produced for the sink so far.
    private(set) var outputByteCount = 0
    /// Number of lines streamed through unseen because they were too long.
    private(set) var overlongLineCount = 0
    /// Longest line shown to the callback.
    let maximumLineLength: Int

    init(maximumLineLength: Int) {
        self.maximumLineLength = maximumLineLength
    }

    /// Consumes a chunk of input, appending the output bytes to `output`.
    mutating func consume(
        _ chunk: UnsafeRawBufferPointer,
        into output: inout [UInt8],
        handler: (DataLine) -> DataLineOutput
    ) {
        inputByteCount += chunk.count
        var start = 0
        while start < chunk.count {
            guard let newline = chunk[start...].firstIndex(of: 0x0a) else {
                absorb(chunk[start...], into: &output)
                return
            }
            let piece = chunk[start..<newline]
            start = newline + 1
            if streamingLongLine {
                emitRaw(piece, into: &output)
                emitRaw([0x0a], into: &output)
                streamingLongLine = false
                continue
            }
            if partial.count + piece.count > maximumLineLength {
                overlongLineCount += 1
                emitRaw(partial, into: &output)
                partial.removeAll(keepingCapacity: true)
                emitRaw(piece, into: &output)
                emitRaw([0x0a], into: &output)
                continue
            }
            var line: [UInt8]
            if partial.isEmpty {
                line = Array(piece)
            } else {
                line = partial
                line.append(contentsOf: piece)
                partial.removeAll(keepingCapacity: true)
            }
            deliver(&line, terminated: true, into: &output, handler: handler)
        }
    }

    /// Ends the input: a last line without a newline goes to the callback as well.
    mutating func finish(into output: inout [UInt8], handler: (DataLine) -> DataLineOutput) {
        if streamingLongLine {
            streamingLongLine = false
            return
        }
        guard !partial.isEmpty else { return }
        var line = partial
        partial.removeAll()
        deliver(&line, terminated: false, into: &output, handler: handler)
    }

    private mutating func absorb(_ bytes: Slice<UnsafeRawBufferPointer>, into output: inout [UInt8]) {
        if streamingLongLine {
            emitRaw(bytes, into: &output)
        } else if partial.count + bytes.count > maximumLineLength {
            overlongLineCount += 1
            streamingLongLine = true
            emitRaw(partial, into: &output)
            partial.removeAll(keepingCapacity: true)
            emitRaw(bytes, into: &output)
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func deliver(
        _ line: inout [UInt8],
        terminated: Bool,
        into output: inout [UInt8],
        handler: (DataLine) -> DataLineOutput
    ) {
        let dataLine = DataLine(bytes: line)
        switch handler(dataLine) {
        case .unchanged:
            emitRaw(line, into: &output)
            if terminated { emitRaw([0x0a], into: &output) }
        case .dropped:
            break
        case let .replaced(lines):
            for replacement in lines {
                emitRaw(replacement.bytes, into: &output)
                emitRaw([0x0a], into: &output)
            }
        }
    }

    private mutating func emitRaw<Bytes: Collection>(_ bytes: Bytes, into output: inout [UInt8]) where Bytes.Element == UInt8 {
        output.append(contentsOf: bytes)
        outputByteCount += bytes.count
    }
}
