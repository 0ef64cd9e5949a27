@testable import FilterRulesEngine
import Testing

@Suite("Transcript parser")
struct TranscriptParserTests {
    @Test("plain transcript with directives, dot-unstuffing and expectations")
    func plain() throws {
        let text = """
            # a comment
            #! connect 192.0.2.7 client.example
            #! expect connect accept
            EHLO client.example
            MAIL FROM:<alice@example.org> SIZE=100
            #! expect rcpt reject 550
            RCPT TO:<bob@example.net>
            RCPT TO:<carol@example.net>
            DATA
            Subject: hi
            # not a comment inside the message

            ..dot
            .
            QUIT

            """
        let transcript = try TranscriptParser.parse(text, name: "t")
        #expect(transcript.address == "192.0.2.7" && transcript.hostname == "client.example")
        #expect(transcript.connectExpectation?.outcome == .accept)
        #expect(
            transcript.steps.map(\.kind) == [
                .helo("client.example"), .mail("alice@example.org"), .rcpt("bob@example.net"), .rcpt("carol@example.net"),
                .data, .message([Array("Subject: hi".utf8), Array("# not a comment inside the message".utf8), [], Array(".dot".utf8)]), .quit,
            ])
        #expect(transcript.steps[2].expectation == Transcript.Expectation(outcome: .reject, code: 550, line: 6))
        #expect(transcript.steps[3].expectation == nil)
        #expect(transcript.steps[5].line == 10)
    }

    @Test("swaks output: client lines only")
    func swaks() throws {
        let text = """
            === Trying 127.0.0.1:2525...
            === Connected to 127.0.0.1.
            <-  220 mx.example ESMTP OpenSMTPD
             -> EHLO client.example
            <-  250-mx.example Hello
            <-  250 HELP
             -> MAIL FROM:<>
            <-  250 2.0.0 Ok
             -> RCPT TO:<postmaster@example.org>
            <** 550 Invalid recipient
             -> QUIT
            <-  221 Bye
            === Connection closed with remote host.
            """
        let transcript = try TranscriptParser.parse(text, name: "s")
        #expect(transcript.steps.map(\.kind) == [.helo("client.example"), .mail(""), .rcpt("postmaster@example.org"), .quit])
        #expect(transcript.address == "127.0.0.1")
    }

    @Test(
        "errors name the line and what was expected",
        arguments: [
            ("MAIL alice@example.org\n", "t:1: expected 'FROM:<address>'"),
            ("RCPT TO: bob\n", "t:1: expected an address in angle brackets after 'TO:'"),
            ("#! expect helo maybe\nHELO x\n", "t:1: unknown outcome 'maybe', expected one of accept, reject, tempfail, disconnect"),
            ("#! expect quit accept\n", "t:1: unknown step 'quit', expected one of connect, helo, mail, rcpt, data, message"),
            ("#! expect rcpt reject 999\n", "t:1: bad code '999', expected a number from 200 to 599"),
            ("#! frob\n", "t:1: unknown directive 'frob', expected 'connect', 'expect' or 'time'"),
            ("DATA\nSubject: x\n", "t:2: message not ended by a line with a single '.'"),
            ("HELO a\n#! expect rcpt reject\nQUIT\n", "t:2: expectation for 'rcpt' is not followed by a rcpt step"),
        ])
    func errors(input: String, message: String) {
        #expect(throws: TranscriptError.self) { try TranscriptParser.parse(input, name: "t") }
        do {
            _ = try TranscriptParser.parse(input, name: "t")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("CRLF line ends and bytes that are not UTF-8 survive in the message")
    func crlfAndBytes() throws {
        let bytes = Array("DATA\r\n".utf8) + [0xff, 0xfe, 0x0d, 0x0a] + Array(".\r\n".utf8)
        let transcript = try TranscriptParser.parse(bytes, name: "b")
        #expect(transcript.steps.last?.kind == .message([[0xff, 0xfe]]))
    }
}
