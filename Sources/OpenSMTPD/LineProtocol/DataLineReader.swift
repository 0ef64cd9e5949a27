#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `data-line` requests as ``DataLineRequest`` does, faster for the lines of one
/// message: they differ only in their timestamp and message line. It remembers the last
/// request's words around the timestamp (`filter|VERSION|` before it, `|SUBSYSTEM|data-line|SESSION|TOKEN|`
/// after it); a line with the same words there is that request again with other
/// parameters, found with one `memchr` and two compares instead of reading every field.
/// Any other line is read in full. (Package access: the line fuzz target checks that both
/// readings agree.)
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
           let bar = memchr(base + lead.count, Int32(UInt8(ascii: "|")), line.count - lead.count) {
            let tailStart = base.distance(to: bar.assumingMemoryBound(to: UInt8.self))
            if line.count - tailStart >= tail.count, memcmp(base + tailStart, tail, tail.count) == 0 {
                var request = last
                request.parameters = (tailStart + tail.count)..<line.count
                return request
            }
        }
        guard let request = DataLineRequest(line) else { return nil }
        remember(request, line)
        return request
    }

    /// Keeps the words around the timestamp of `request`, read in full from `line`, when its
    /// token is followed by a bar (a request without parameters nor bar is not kept).
    private mutating func remember(_ request: DataLineRequest, _ line: UnsafeBufferPointer<UInt8>) {
        let parametersStart = request.parameters.lowerBound
        guard parametersStart > 0, parametersStart <= line.count, line[parametersStart - 1] == UInt8(ascii: "|"),
              let versionEnd = line.firstIndex(of: UInt8(ascii: "|"), after: 7),
              let timestampEnd = line.firstIndex(of: UInt8(ascii: "|"), after: versionEnd + 1) else {
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
