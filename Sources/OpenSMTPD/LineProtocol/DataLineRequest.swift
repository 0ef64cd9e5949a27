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
              let version = Self.version(base + bars.0 + 1, bars.1 - bars.0 - 1)
                ?? LineProtocolVersion(ascii: line[(bars.0 + 1)..<bars.1]),
              let session = Self.hex(base + bars.4 + 1, bars.5 - bars.4 - 1),
              let token = Self.hex(base + bars.5 + 1, tokenEnd - bars.5 - 1) else { return nil }
        self.version = version
        self.session = session
        self.token = token
        self.parameters = found == 7 ? (bars.6 + 1)..<count : count..<count
    }

    /// `0.N`, the form of every version so far, read at once; nil for any other text (which
    /// ``LineProtocolVersion/init(ascii:)`` reads).
    private static func version(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> LineProtocolVersion? {
        guard count == 3, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "."),
              bytes[2] &- UInt8(ascii: "0") < 10 else { return nil }
        return LineProtocolVersion(major: 0, minor: Int(bytes[2] &- UInt8(ascii: "0")))
    }

    /// 1 to 16 hex digits (as ``LineMessage/hexIdentifier(_:)`` reads them), from memory.
    private static func hex(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64? {
        guard count > 0, count <= 16 else { return nil }
        var value: UInt64 = 0
        for index in 0..<count {
            let byte = bytes[index]
            var digit = byte &- UInt8(ascii: "0")
            if digit >= 10 {
                // Letters: `| 0x20` makes them lowercase.
                digit = (byte | 0x20) &- UInt8(ascii: "a")
                guard digit < 6 else { return nil }
                digit += 10
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
