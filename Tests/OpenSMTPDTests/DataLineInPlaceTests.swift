import Foundation
import Logging
#if canImport(Glibc)
    import Glibc
#endif
@testable import OpenSMTPD
import Testing

/// `serve()` reads `data-line` requests in place (``DataLineRequest``); every other line,
/// and `handle(line:)`, goes through ``LineMessage/parse(_:)``. Both must answer alike.
@Suite("Line protocol: data-line requests read in place answer as fully parsed ones")
struct DataLineInPlaceTests {
    /// Requests of several versions and shapes, some of them malformed.
    static let requests: [String] = [
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|plain line",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|..stuffed",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|a|b||c|",
        "filter|0.4|1.0|smtp-in|data-line|0000000000000002|00000000000000bb|token first in 0.4",
        "filter|0.7|1.0|smtp-in|data-line|1|b|short ids",
        "filter|0.6|1.0|smtp-in|data-line|00000000000000zz|00000000000000aa|bad session",
        // Read against the request before (DataLineReader): other timestamp, token, version.
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|same head",
        "filter|0.6|22.5|smtp-in|data-line|0000000000000001|00000000000000aa|other timestamp",
        "filter|0.6|22.5|smtp-in|data-line|0000000000000001|00000000000000ab|other token",
        "filter|0.7|22.5|smtp-in|data-line|0000000000000001|00000000000000ab|..other version",
        "filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|.",
    ]

    @Test("each request gets the same answer bytes through serve() as through handle(line:)")
    func sameAnswers() throws {
        let memory = LineFilter(logger: Logger(label: "test"))
        memory.onDataLine = { _, _ in .unchanged }
        var expected: [UInt8] = []
        for request in Self.requests { expected += try memory.handle(line: Array(request.utf8)) }
        #expect(!expected.isEmpty)

        let served = LineAnswerTimingTests.ServedFilter(pipes: false) { filter in
            filter.onDataLine = { _, _ in .unchanged }
        }
        try served.handshake()
        try served.send(Self.requests.flatMap { Array($0.utf8) + [10] })
        let answerLines = expected.split(separator: 10, omittingEmptySubsequences: false).dropLast()
        var received: [UInt8] = []
        for _ in answerLines { received += try served.daemon.line() + [10] }
        #expect(String(decoding: received, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(served.finish())
    }
}
