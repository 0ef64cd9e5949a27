#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one reader of `data-line` requests (``DataLineRequest``), in place. A line is read in
/// full (``readInFull(_:)``: the seven bars with `memchr`, the words compared, the ids and
/// version read) unless it is the request before it again: the lines of one message differ
/// only in their timestamp and message line, so the reader remembers the last request's
/// words around the timestamp (`filter|VERSION|` before it, `|SUBSYSTEM|data-line|SESSION|TOKEN|`
/// after it), and a line with the same words there is found with one `memchr` and two
/// compares. A line that is no well-formed `data-line` request is left to
/// ``LineMessage/parse(_:)``, which reads every kind of line and says what is wrong.
/// (Package access: the line fuzz target checks that the reader, its full reading and the
/// full parse agree.)
package struct DataLineReader {
    /// The last request read in full, and its words before and after the timestamp.
    private var last: DataLineRequest?
    private var lead: [UInt8] = []
    private var tail: [UInt8] = []

    /// A reader that remembers nothing yet.
    package init() {}

    /// Reads `line` (without its `\n`); nil unless it is a well-formed `data-line` request.
    package mutating func read(_ line: UnsafeBufferPointer<UInt8>) -> DataLineRequest? {
        if let last, let base = line.baseAddress, line.count > lead.count + tail.count,
            memcmp(base, lead, lead.count) == 0,
            let bar = memchr(base + lead.count, Int32(UInt8(ascii: "|")), line.count - lead.count)
        {
            let tailStart = base.distance(to: bar.assumingMemoryBound(to: UInt8.self))
            if line.count - tailStart >= tail.count, memcmp(base + tailStart, tail, tail.count) == 0 {
                var request = last
                request.parameters = (tailStart + tail.count)..<line.count
                return request
            }
        }
        guard let request = Self.readInFull(line) else { return nil }
        remember(request, line)
        return request
    }

    /// Reads `line` (without its `\n`) in full, remembering nothing; nil unless it is a
    /// well-formed `data-line` request.
    package static func readInFull(_ line: UnsafeBufferPointer<UInt8>) -> DataLineRequest? {
        // filter | version | timestamp | subsystem | phase | session | token | parameters
        var bars: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
        var found = 0
        var from = 0
        let count = line.count
        guard let base = line.baseAddress else { return nil }
        while found < 7, from < count, let hit = memchr(base + from, Int32(UInt8(ascii: "|")), count - from) {
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            switch found {
            case 0: bars.0 = index
            case 1: bars.1 = index
            case 2: bars.2 = index
            case 3: bars.3 = index
            case 4: bars.4 = index
            case 5: bars.5 = index
            default: bars.6 = index
            }
            found += 1
            from = index + 1
        }
        // Without the parameters' bar the line is `...|TOKEN`, an empty data line.
        let tokenEnd = found == 7 ? bars.6 : count
        guard found >= 6, bars.0 == 6, memcmp(base, "filter", 6) == 0,
            bars.4 - bars.3 == 10, memcmp(base + bars.3 + 1, "data-line", 9) == 0,
            let version = LineProtocolVersion(ascii: Self.field(base, from: bars.0 + 1, to: bars.1)),
            let session = LineMessage.hexIdentifier(Self.field(base, from: bars.4 + 1, to: bars.5)),
            let token = LineMessage.hexIdentifier(Self.field(base, from: bars.5 + 1, to: tokenEnd))
        else { return nil }
        return DataLineRequest(
            version: version, session: session, token: token,
            parameters: found == 7 ? (bars.6 + 1)..<count : count..<count)
    }

    /// The bytes from `start` to `end` of the line at `base`, as a buffer of their own (the
    /// shared readers specialise for it; a slice of the line's buffer costs more per byte).
    private static func field(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Keeps the words around the timestamp of `request`, read in full from `line`, when its
    /// token is followed by a bar (a request without parameters nor bar is not kept).
    private mutating func remember(_ request: DataLineRequest, _ line: UnsafeBufferPointer<UInt8>) {
        let parametersStart = request.parameters.lowerBound
        guard parametersStart > 0, parametersStart <= line.count, line[parametersStart - 1] == UInt8(ascii: "|"),
            let versionEnd = line.firstIndex(of: UInt8(ascii: "|"), after: 7),
            let timestampEnd = line.firstIndex(of: UInt8(ascii: "|"), after: versionEnd + 1)
        else {
            last = nil
            return
        }
        last = request
        lead = Array(line[0...versionEnd])
        tail = Array(line[timestampEnd..<parametersStart])
    }
}

private extension UnsafeBufferPointer<UInt8> {
    /// The index of the first `byte` at or after `start`.
    func firstIndex(of byte: UInt8, after start: Int) -> Int? {
        guard start <= count else { return nil }
        return self[start...].firstIndex(of: byte)
    }
}
