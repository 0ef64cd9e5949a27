import ConfigurationFiles
@testable import DNSLists
import Testing

@Suite("DNS lists: answer files for dry-runs")
struct DNSAnswerFileTests {
    @Test("A, TXT, TIMEOUT and SERVFAIL; names without case or final dot; TTL and class skipped; the rest not found")
    func answers() throws {
        let file = try DNSAnswerFile(
            text: """
                # answers for the dry-run
                2.0.0.127.zen.example. A 127.0.0.2
                2.0.0.127.ZEN.example 300 IN A 127.0.0.4 ; second code
                2.0.0.127.zen.example. TXT "https://check.example/127.0.0.2" "?more"
                3.0.0.127.zen.example TIMEOUT
                4.0.0.127.zen.example SERVFAIL
                """, file: "answers.dns")
        #expect(file.answer("2.0.0.127.zen.example", .a) == .records(addresses: [0x7f00_0002, 0x7f00_0004], texts: [], ttl: 300))
        #expect(file.answer("2.0.0.127.zen.example.", .txt) == .records(addresses: [], texts: ["https://check.example/127.0.0.2?more"], ttl: 300))
        #expect(file.answer("3.0.0.127.zen.example", .a) == .failed(.timeout))
        #expect(file.answer("4.0.0.127.zen.example", .txt) == .failed(.serverFailure))
        #expect(file.answer("5.0.0.127.zen.example", .a) == .notFound(ttl: nil))
    }

    @Test("mistakes are refused at their line and column with what to write")
    func mistakes() {
        let cases: [(String, String)] = [
            ("x.example A 127.0.0", "answers.dns:1:13: an A record takes one IPv4 address, e.g. 127.0.0.2"),
            ("x.example\n", "answers.dns:1:10: expected a type after the name (A, TXT, TIMEOUT or SERVFAIL)"),
            ("\nx.example MX 10 mail", "answers.dns:2:11: unknown type 'MX': expected A, TXT, TIMEOUT or SERVFAIL"),
            ("x.example TIMEOUT 3", "answers.dns:1:19: TIMEOUT takes nothing after it"),
            ("x.example TXT", "answers.dns:1:15: a TXT record takes its text, e.g. \"listed\""),
        ]
        for (text, expected) in cases {
            #expect(throws: FileDiagnostic.self) { try DNSAnswerFile(text: text, file: "answers.dns") }
            do {
                _ = try DNSAnswerFile(text: text, file: "answers.dns")
            } catch {
                #expect(error.description == expected)
            }
        }
    }
}
