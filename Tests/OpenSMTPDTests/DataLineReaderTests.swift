@testable import OpenSMTPD
import Testing

/// ``DataLineReader`` remembers the last request's words around the timestamp; whatever
/// came before, it must read every line as ``DataLineRequest`` reads it alone.
@Suite("Line protocol: data-line requests read against the last one")
struct DataLineReaderTests {
    static let head = "filter|0.6|1764060000.000001|smtp-in|data-line|0000000000000001|00000000000000aa|"

    /// Lines in the order they are read: each differs from the one before in one place.
    static let lines: [String] = [
        head + "first line",
        // Another timestamp, another length of it: read from memory.
        "filter|0.6|1764060000.2|smtp-in|data-line|0000000000000001|00000000000000aa|second",
        "filter|0.6||smtp-in|data-line|0000000000000001|00000000000000aa|empty timestamp",
        "filter|0.6|1764060000.3|smtp-in|data-line|0000000000000001|00000000000000aa|",
        // Empty without the bar: no parameters at all.
        "filter|0.6|1764060000.3|smtp-in|data-line|0000000000000001|00000000000000aa",
        head + "..stuffed|with|bars",
        // Another token, session, version, phase, subsystem.
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000ab|new token",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000002|00000000000000ab|new session",
        "filter|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000ab|new version",
        "filter|0.7|1.0|smtp-in|data-lines|0000000000000002|00000000000000ab|not a data line",
        "filter|0.7|1.0|smtp-out|data-line|0000000000000002|00000000000000ab|other subsystem",
        "filter|0.7|1.0|smtp-in|commit|0000000000000002|00000000000000ab",
        "filter|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000ab|back",
        // A shorter token whose digits begin the remembered one: not the same request.
        "filter|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000a|shorter token",
        "filter|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000ab",
        "report|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000ab|report",
        "filter|0.7|1.0|smtp-in|data-line|0000000000000002|00000000000000ab|.",
        "filter|0.7|1.0",
        "",
    ]

    @Test("every line is read as the full reading reads it alone, in order and with what came before")
    func agreesWithTheFullReading() {
        var reader = DataLineReader()
        var requests = 0
        for (index, line) in Self.lines.enumerated() {
            let bytes = Array(line.utf8)
            let alone = bytes.withUnsafeBufferPointer { DataLineReader.readInFull($0) }
            let read = bytes.withUnsafeBufferPointer { reader.read($0) }
            #expect(read == alone, "line \(index): \(line)")
            if alone != nil { requests += 1 }
        }
        #expect(requests == 14)
    }

    @Test("a line read from memory has the remembered ids and its own message line")
    func fromMemory() throws {
        var reader = DataLineReader()
        let first = Array((Self.head + "a").utf8)
        _ = first.withUnsafeBufferPointer { reader.read($0) }
        let second = Array("filter|0.6|9.9|smtp-in|data-line|0000000000000001|00000000000000aa|bcd".utf8)
        let request = try #require(second.withUnsafeBufferPointer { reader.read($0) })
        #expect(request.session == 1 && request.token == 0xaa && request.version == LineProtocolVersion(major: 0, minor: 6))
        #expect(Array(second[request.parameters]) == Array("bcd".utf8))
    }
}
