#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `filter|VERSION|TIMESTAMP|SUBSYSTEM|data-line|SESSION|TOKEN|LINE` request read in
/// place: most lines of the protocol are these, and reading them needs no allocation (the
/// timestamp and subsystem are not kept). Any other line, or one this reading finds
/// malformed, goes through ``LineMessage/parse(_:)``, which says what is wrong. (Package
/// access: the line fuzz target checks that both readings agree.)
package struct DataLineRequest: Equatable {
    /// The protocol version of the line.
    package var version: LineProtocolVersion
    /// The session id.
    package var session: UInt64
    /// The token to give back.
    package var token: UInt64
    /// Where the message line (the request's parameters) is in the protocol line.
    package var parameters: Range<Int>

    /// A request from its parts.
    package init(version: LineProtocolVersion, session: UInt64, token: UInt64, parameters: Range<Int>) {
        self.version = version
        self.session = session
        self.token = token
        self.parameters = parameters
    }

    /// Reads `line` (without its `\n`); nil unless it is a well-formed `data-line` request.
    package init?(_ line: UnsafeBufferPointer<UInt8>) {
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
              let token = LineMessage.hexIdentifier(Self.field(base, from: bars.5 + 1, to: tokenEnd)) else { return nil }
        self.version = version
        self.session = session
        self.token = token
        self.parameters = found == 7 ? (bars.6 + 1)..<count : count..<count
    }

    /// The bytes from `start` to `end` of the line at `base`, as a buffer of their own (the
    /// shared readers specialise for it; a slice of the line's buffer costs more per byte).
    private static func field(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }
}
