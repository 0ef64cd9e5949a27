/// Where ``LineFilter`` puts the answers to `data-line` requests: the channel's queue in
/// ``LineFilter/serve()``, arrays when the filter is driven in memory. A protocol rather
/// than closures, so that the serving loop's calls for every message line are direct ones
/// (the closures it had cost a retain and release of their context per line).
protocol DataLineAnswers: AnyObject {
    /// Queues an unchanged line: `prefix`, then `line`, then a `\n`.
    func echo(_ prefix: UnsafeBufferPointer<UInt8>, _ line: UnsafeBufferPointer<UInt8>) throws(LineProtocolError)
    /// Queues other bytes (a replaced line, the final `.`, a held message given up), in order
    /// with the echoed lines.
    func emit(_ bytes: [UInt8]) throws(LineProtocolError)
}

extension LineChannel: DataLineAnswers {
    func echo(_ prefix: UnsafeBufferPointer<UInt8>, _ line: UnsafeBufferPointer<UInt8>) throws(LineProtocolError) {
        try queueLine(prefix, line)
    }

    func emit(_ bytes: [UInt8]) throws(LineProtocolError) {
        try queue(bytes)
    }
}

/// The answers to one `data-line` request handled in memory (``LineFilter/handle(line:)``):
/// an echoed line is kept to be returned, other bytes go to `emit` at once (a held message
/// given up is streamed there before the line's own answer). Made for one request, within
/// the call that lends it `emit`.
final class InMemoryDataLineAnswers: DataLineAnswers {
    private(set) var echoed: [UInt8] = []
    private let emitted: LineEmit

    /// Answers passing other bytes to `emit`, which must outlive them (see the type).
    init(emit: @escaping LineEmit) {
        emitted = emit
    }

    func echo(_ prefix: UnsafeBufferPointer<UInt8>, _ line: UnsafeBufferPointer<UInt8>) throws(LineProtocolError) {
        echoed += prefix
        echoed += line
        echoed.append(10)
    }

    func emit(_ bytes: [UInt8]) throws(LineProtocolError) {
        try emitted(bytes)
    }
}
