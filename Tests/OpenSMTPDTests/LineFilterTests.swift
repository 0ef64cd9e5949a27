import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
@testable import OpenSMTPD
import Testing
import TestSupport

/// Feeds lines to a ``LineFilter`` in memory and collects its output as text.
private func run(_ filter: LineFilter, _ lines: [String]) throws -> String {
    var output: [UInt8] = []
    for line in lines { output += try filter.handle(line: Array(line.utf8)) }
    return String(decoding: output, as: UTF8.self)
}

@Suite("Line protocol (OpenSMTPD 6.6+) in memory")
struct LineFilterTests {
    @Test("registration lists the reports and exactly the phases with callbacks, after config|ready")
    func registration() throws {
        let filter = LineFilter(logger: .quiet)
        filter.onHELO = { _, _ in .proceed }
        filter.onRcptTo = { _, _ in .proceed }
        filter.onDataLine = { _, _ in .unchanged }
        let output = try run(filter, ["config|smtpd-version|6.8.0p2", "config|subsystem|smtp-in"])
        #expect(output.isEmpty)
        #expect(
            try run(filter, ["config|ready"]) == """
                register|report|smtp-in|link-connect
                register|report|smtp-in|link-disconnect
                register|filter|smtp-in|helo
                register|filter|smtp-in|rcpt-to
                register|filter|smtp-in|data-line
                register|ready

                """)
        #expect(filter.configuration == ["smtpd-version": "6.8.0p2", "subsystem": "smtp-in"])
        #expect(filter.isRegistered)
    }

    @Test("answers put the session before the token from 0.5 on, the token first in 0.4")
    func answerLayout() throws {
        let filter = LineFilter(logger: .quiet)
        filter.onHELO = { _, name in name == "bad" ? .reject(code: 550, text: "5.7.1 No") : .proceed }
        let lines = [
            "filter|0.6|1.0|smtp-in|helo|00000000000000ab|00000000000000cd|bad",
            "filter|0.5|1.0|smtp-in|helo|ab|cd|good",
            "filter|0.4|1.0|smtp-in|helo|ab|cd|bad",
            "filter|0.7|1.0|smtp-in|helo|ab|cd|good",
        ]
        #expect(
            try run(filter, lines) == """
                filter-result|00000000000000ab|00000000000000cd|reject|550 5.7.1 No
                filter-result|00000000000000ab|00000000000000cd|proceed
                filter-result|00000000000000cd|00000000000000ab|reject|550 5.7.1 No
                filter-result|00000000000000ab|00000000000000cd|proceed

                """)
        #expect(filter.version == LineProtocolVersion(major: 0, minor: 7))
    }

    @Test("every result kind is written as the daemon parses it; bad codes and line breaks are made safe")
    func resultKinds() {
        #expect(LineFilterResult.proceed.wireTail == "proceed")
        #expect(LineFilterResult.junk.wireTail == "junk")
        #expect(LineFilterResult.reject(code: 451, text: "4.7.1 Later").wireTail == "reject|451 4.7.1 Later")
        #expect(LineFilterResult.disconnect(code: 421, text: "Bye").wireTail == "disconnect|421 Bye")
        #expect(LineFilterResult.rewrite("x@y").wireTail == "rewrite|x@y")
        #expect(LineFilterResult.reject(code: 250, text: "a\r\nb").wireTail == "reject|451 a  b")
        #expect(LineFilterResult.reject(code: 550, text: "").wireTail == "reject|550")
    }

    @Test("phases get their parameters: connect, helo/ehlo, mail-from and rcpt-to addresses")
    func parameters() throws {
        let filter = LineFilter(logger: .quiet)
        var seen: [String] = []
        filter.onLinkConnect = { seen.append("link \($0.reverseDNS) \($0.forwardConfirmed) \($0.clientAddress ?? "-") \($0.destination)") }
        filter.onConnect = {
            seen.append("connect \($0.reverseDNS) \($0.clientAddress ?? "-")"); return .proceed
        }
        filter.onHELO = {
            seen.append("helo \($1)"); return .proceed
        }
        filter.onEHLO = {
            seen.append("ehlo \($1)"); return .proceed
        }
        filter.onMailFrom = {
            seen.append("mail \($1.user)|\($1.domain)"); return .proceed
        }
        filter.onRcptTo = {
            seen.append("rcpt \($1)"); return .proceed
        }
        filter.onData = { _ in
            seen.append("data"); return .proceed
        }
        filter.onCommit = { _ in
            seen.append("commit"); return .proceed
        }
        filter.onTransactionReset = { _ in seen.append("reset") }
        filter.onLinkDisconnect = { seen.append("gone \($0.id)") }
        _ = try run(
            filter,
            [
                "report|0.6|1.0|smtp-in|link-connect|1|mx.example.net|pass|[2001:db8::7]:40000|[2001:db8::1]:25",
                "filter|0.6|1.0|smtp-in|connect|1|a|mx.example.net|[2001:db8::7]",
                "filter|0.6|1.0|smtp-in|helo|1|b|client.example",
                "filter|0.6|1.0|smtp-in|ehlo|1|c|client.example",
                "filter|0.6|1.0|smtp-in|mail-from|1|d|<alice@example.org> SIZE=100 BODY=8BITMIME",
                "filter|0.6|1.0|smtp-in|mail-from|1|e|<>",
                "filter|0.6|1.0|smtp-in|rcpt-to|1|f|<@relay.example:bob@example.net>",
                "filter|0.6|1.0|smtp-in|data|1|10|",
                "filter|0.6|1.0|smtp-in|commit|1|11|",
                "report|0.6|1.0|smtp-in|tx-reset|1|0badcafe",
                "report|0.6|1.0|smtp-in|link-disconnect|1",
            ])
        #expect(
            seen == [
                "link mx.example.net pass 2001:db8::7 [2001:db8::1]:25", "connect mx.example.net 2001:db8::7",
                "helo client.example", "ehlo client.example", "mail alice|example.org", "mail |",
                "rcpt bob@example.net", "data", "commit", "reset", "gone 1",
            ])
        #expect(filter.sessions.isEmpty)
    }

    @Test("client addresses are read from every endpoint form")
    func endpoints() {
        #expect(LineSession.address(of: "192.0.2.7:40000") == "192.0.2.7")
        #expect(LineSession.address(of: "192.0.2.7") == "192.0.2.7")
        #expect(LineSession.address(of: "[2001:db8::1]:25") == "2001:db8::1")
        #expect(LineSession.address(of: "[IPv6:2001:db8::1]") == "2001:db8::1")
        #expect(LineSession.address(of: "2001:db8::1") == "2001:db8::1")
        #expect(LineSession.address(of: "local") == nil)
        #expect(LineSession.address(of: "unix:/var/run/smtpd.sock") == nil)
        #expect(MailAddress(commandArgument: "  <a@b@c.example>").description == "a@b@c.example")
        #expect(MailAddress(commandArgument: "postmaster").description == "postmaster")
    }

    @Test("message lines: dot-stuffing removed for the callback, restored on output, unchanged lines echoed raw")
    func dataLines() throws {
        let filter = LineFilter(logger: .quiet)
        var seen: [[UInt8]] = []
        filter.onDataLine = { _, line in
            seen.append(line.bytes)
            switch line.text {
            case "drop me": return .dropped
            case "expand": return .replaced([".added", "second|with|bars"])
            default: return .unchanged
            }
        }
        let prefix = "filter|0.6|1.0|smtp-in|data-line|0000000000000001|0000000000000002|"
        var output: [UInt8] = []
        for payload: [UInt8] in [Array("..dot".utf8), [0xff, 0xfe, 0x7c, 0x41], Array("drop me".utf8), Array("expand".utf8), [], [0x2e]] {
            output += try filter.handle(line: Array(prefix.utf8) + payload)
        }
        let answer = "filter-dataline|0000000000000001|0000000000000002|"
        let expected: [UInt8] =
            Array((answer + "..dot\n" + answer).utf8) + [0xff, 0xfe, 0x7c, 0x41, 10]
            + Array((answer + "..added\n" + answer + "second|with|bars\n" + answer + "\n" + answer + ".\n").utf8)
        #expect(output == expected)
        #expect(seen == [Array(".dot".utf8), [0xff, 0xfe, 0x7c, 0x41], Array("drop me".utf8), Array("expand".utf8), []])
    }

    @Test(
        "a replacement whose line breaks are dropped is stuffed by what remains: a \\n. never ends the message",
        arguments: [false, true])
    func replacementStuffedAfterLineBreaksDropped(held: Bool) throws {
        let filter = LineFilter(logger: .quiet)
        if held { filter.holdsMessage = { _ in true } }
        filter.onDataLine = { _, line in line.text == "x" ? .replaced([DataLine(bytes: [10, UInt8(ascii: ".")]), "\n.\nz"]) : .unchanged }
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-connect|0000000000000001|a|pass|192.0.2.7:1|192.0.2.1:25".utf8))
        let prefix = "filter|0.6|1.0|smtp-in|data-line|0000000000000001|0000000000000002|"
        var output = try filter.handle(line: Array((prefix + "x").utf8))
        output += try filter.handle(line: Array((prefix + ".").utf8))
        output += filter.takeLateAnswers()
        let answer = "filter-dataline|0000000000000001|0000000000000002|"
        let written = String(decoding: output, as: UTF8.self)
        #expect(written.hasPrefix(answer + "..\n" + answer + "..z\n"), "\(written)")
        #expect(written.hasSuffix(answer + ".\n"))
    }

    @Test("0.4 data lines go back token first")
    func dataLinesTokenFirst() throws {
        let filter = LineFilter(logger: .quiet)
        filter.onDataLine = { _, _ in .unchanged }
        #expect(try run(filter, ["filter|0.4|1.0|smtp-in|data-line|1|2|x"]) == "filter-dataline|0000000000000002|0000000000000001|x\n")
    }

    @Test("a throwing callback gets the fallback answer; a throwing data-line callback passes the line on")
    func throwingCallbacks() throws {
        struct Failure: Error {}
        let filter = LineFilter(logger: .quiet)
        filter.onMailFrom = { _, _ in throw Failure() }
        filter.onDataLine = { _, _ in throw Failure() }
        #expect(
            try run(filter, ["filter|0.6|1.0|smtp-in|mail-from|1|2|<a@b>"])
                == "filter-result|0000000000000001|0000000000000002|reject|451 4.3.0 Temporary failure in mail filter\n")
        #expect(try run(filter, ["filter|0.6|1.0|smtp-in|data-line|1|2|body"]) == "filter-dataline|0000000000000001|0000000000000002|body\n")
    }

    @Test("a deferred answer is sent once, from another thread; a callback that throws after deferring gets the fallback, and its later send is ignored")
    func deferredAnswers() throws {
        struct Failure: Error {}
        let filter = LineFilter(logger: .quiet)
        let promises = Mutex<[LineDeferredAnswer]>([])
        filter.onCommit = { _ in
            promises.withLock { $0.append(filter.deferAnswer()) }
            return .proceed
        }
        filter.onHELO = { _, _ in
            promises.withLock { $0.append(filter.deferAnswer()) }
            throw Failure()
        }
        _ = try run(filter, ["report|0.6|1.0|smtp-in|link-connect|1|a|pass|192.0.2.7:1|192.0.2.1:25"])
        #expect(try run(filter, ["filter|0.6|1.0|smtp-in|commit|1|2|"]) == "")
        #expect(try run(filter, ["filter|0.6|1.0|smtp-in|helo|1|3|x.example"]) == "")
        let (commit, helo) = promises.withLock { ($0[0], $0[1]) }
        let done = Atomic<Bool>(false)
        let thread = Thread {
            commit.send(.reject(code: 550, text: "5.7.1 no"))
            commit.send(.proceed)
            done.store(true, ordering: .releasing)
        }
        thread.start()
        while !done.load(ordering: .acquiring) { usleep(1000) }
        helo.send(.proceed)
        #expect(
            String(decoding: filter.takeLateAnswers(), as: UTF8.self) == """
                filter-result|0000000000000001|0000000000000003|reject|451 4.3.0 Temporary failure in mail filter
                filter-result|0000000000000001|0000000000000002|reject|550 5.7.1 no

                """)
        #expect(filter.takeLateAnswers().isEmpty)
    }

    @Test("requests without a callback, and unknown phases, are answered proceed")
    func unansweredPhases() throws {
        let filter = LineFilter(logger: .quiet)
        #expect(
            try run(filter, ["filter|0.6|1.0|smtp-in|starttls|1|2|TLSv1.3", "filter|0.6|1.0|smtp-in|auth|1|3|PLAIN"]) == """
                filter-result|0000000000000001|0000000000000002|proceed
                filter-result|0000000000000001|0000000000000003|proceed

                """)
    }

    @Test("malformed lines are logged; those naming a session and token are still answered")
    func malformedLines() throws {
        let filter = LineFilter(logger: .quiet)
        let ignored = [
            "", "bogus|line", "config|", "report|0.6|1.0|smtp-in", "report|0.6|1.0|smtp-in|tx-reset|xyz",
            "filter|0.6|1.0|smtp-in|helo|1", "filter|0.6|1.0|smtp-in|helo|zz|2|x",
        ]
        #expect(try run(filter, ignored) == "")
        #expect(try run(filter, ["filter|0.6|1.0|smtp-in|helo|1|zz|x"]) == "")
        #expect(
            try run(filter, ["filter|x.y|1.0|smtp-in|helo|1|2|x"])
                == "filter-result|0000000000000001|0000000000000002|reject|451 4.3.0 Temporary failure in mail filter\n")
    }

    @Test("an unknown major version, or one older than 0.4, is an error; a newer 0.x is spoken as 0.7")
    func versions() throws {
        let filter = LineFilter(logger: .quiet)
        #expect(throws: LineProtocolError.self) { try filter.handle(line: Array("filter|1.0|1.0|smtp-in|helo|1|2|x".utf8)) }
        #expect(throws: LineProtocolError.self) { try filter.handle(line: Array("report|0.3|1.0|smtp-in|tx-reset|1".utf8)) }
        #expect(try run(filter, ["filter|0.9|1.0|smtp-in|helo|1|2|x"]) == "filter-result|0000000000000001|0000000000000002|proceed\n")
        let error = LineProtocolError.unsupportedVersion("1.0", line: "filter|1.0|...")
        #expect(error.description.hasPrefix("unsupported filter protocol version 1.0"))
        #expect(LineProtocolVersion("0.6") == LineProtocolVersion(major: 0, minor: 6))
        #expect(LineProtocolVersion("0.6.1") == nil && LineProtocolVersion("a.b") == nil && LineProtocolVersion(".6") == nil)
    }

    @Test("a pipe to the daemon means the line protocol; an imsg socket means filter API 52")
    func detection() throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        #expect(DaemonProtocol.detect(descriptor: pipeEnds[0]) == .lineProtocol)

        for (bytes, expected) in [
            (Array("config|smtpd-version|6.8.0p2\n".utf8), DaemonProtocol.lineProtocol),
            ([0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00], .filterAPI52),
            (Array("conf".utf8), .filterAPI52),
        ] {
            var pair: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            _ = bytes.withUnsafeBytes { write(pair[0], $0.baseAddress, $0.count) }
            if bytes.count < 7 { shutdown(pair[0], Int32(SHUT_WR)) }
            #expect(DaemonProtocol.detect(descriptor: pair[1]) == expected)
            // Detection does not consume input.
            var first = [UInt8](repeating: 0, count: bytes.count)
            #expect(read(pair[1], &first, first.count) == bytes.count && first == bytes)
            close(pair[0]); close(pair[1])
        }
    }
}
