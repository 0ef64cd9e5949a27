import OpenSMTPD
import Testing

/// `LineTable.handle(line:)` in memory: one reply per request, whatever the callbacks do.
@Suite("LineTable in memory")
struct LineTableTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "backend down\nretry later" }
    }

    /// A table after the handshake.
    static func registered(_ configure: (LineTable) -> Void = { _ in }) throws -> LineTable {
        let table = LineTable()
        configure(table)
        for line in ["config|smtpd-version|7.8.0p1", "config|protocol|0.1", "config|tablename|t"] {
            #expect(try table.handle(line: Array(line.utf8)).isEmpty)
        }
        _ = try table.handle(line: Array("config|ready".utf8))
        return table
    }

    static func ask(_ table: LineTable, _ rest: String) throws -> String {
        String(decoding: try table.handle(line: Array("table|0.1|1.000001|t|\(rest)".utf8)), as: UTF8.self)
    }

    @Test("the registration lists the services in bit order, then register|ready")
    func registration() throws {
        let table = LineTable()
        table.services = [.relayHost, .alias, .mailaddrMap]
        for line in ["config|protocol|0.1", "config|tablename|t", "config|other|ignored"] { _ = try table.handle(line: Array(line.utf8)) }
        let reply = String(decoding: try table.handle(line: Array("config|ready".utf8)), as: UTF8.self)
        #expect(reply == "register|alias\nregister|mailaddrmap\nregister|relayhost\nregister|ready\n")
        #expect(table.name == "t" && table.configuration["other"] == "ignored" && table.isRegistered)
    }

    @Test("no services: config|ready is refused, as smtpd would refuse the registration")
    func noServices() throws {
        let table = LineTable()
        table.services = .none
        for line in ["config|protocol|0.1", "config|tablename|t"] { _ = try table.handle(line: Array(line.utf8)) }
        #expect(throws: LineTableError.noServices) { try table.handle(line: Array("config|ready".utf8)) }
        #expect(throws: LineTableError.noServices) { try table.serve() }
    }

    @Test("a throwing callback answers error with its description on one line")
    func throwingCallbacks() throws {
        let table = try Self.registered { table in
            table.onCheck = { _, _, _ in throw Failure() }
            table.onLookup = { _, _, _ in throw Failure() }
            table.onFetch = { _, _ in throw Failure() }
            table.onUpdate = { throw Failure() }
        }
        #expect(try Self.ask(table, "check|alias|00000001|k") == "check-result|00000001|error|backend down retry later\n")
        #expect(try Self.ask(table, "lookup|alias|00000002|k") == "lookup-result|00000002|error|backend down retry later\n")
        #expect(try Self.ask(table, "fetch|source|00000003") == "fetch-result|00000003|error|backend down retry later\n")
        #expect(try Self.ask(table, "update|00000004") == "update-result|00000004|error|backend down retry later\n")
    }

    @Test("values smtpd cannot take answer error; nil answers not-found; false update answers error")
    func values() throws {
        var value: String? = ""
        let table = try Self.registered { table in
            table.onLookup = { _, _, _ in value }
            table.onUpdate = { false }
        }
        #expect(try Self.ask(table, "lookup|alias|00000001|k") == "lookup-result|00000001|error|lookup returned an empty value\n")
        value = "a\nb"
        #expect(try Self.ask(table, "lookup|alias|00000002|k") == "lookup-result|00000002|error|lookup returned a value with a line break or NUL\n")
        value = nil
        #expect(try Self.ask(table, "lookup|alias|00000003|k") == "lookup-result|00000003|not-found\n")
        value = "x|y"
        #expect(try Self.ask(table, "lookup|alias|00000004|k") == "lookup-result|00000004|found|x|y\n")
        #expect(try Self.ask(table, "update|00000005") == "update-result|00000005|error|update failed\n")
    }

    @Test("missing callbacks: update answers ok, the others error")
    func missingCallbacks() throws {
        let table = try Self.registered()
        #expect(try Self.ask(table, "update|0000000a") == "update-result|0000000a|ok\n")
        #expect(try Self.ask(table, "check|alias|0000000b|k") == "check-result|0000000b|error|no check callback\n")
        #expect(try Self.ask(table, "fetch|relayhost|0000000c") == "fetch-result|0000000c|error|no fetch callback\n")
    }

    @Test("the callbacks get the service, empty params and the key, | and all")
    func callbackArguments() throws {
        var seen: [String] = []
        let table = try Self.registered { table in
            table.onCheck = { service, params, key in
                seen.append("\(service) \(params.count) \(key)"); return true
            }
        }
        #expect(try Self.ask(table, "check|mailaddrmap|00000001|a|b||") == "check-result|00000001|found\n")
        #expect(seen == ["mailaddrmap 0 a|b||"])
    }

    @Test("a long error message is cut at a character boundary")
    func longMessage() {
        let reply = LineTableReply(operation: "check", id: "1", result: .error(String(repeating: "é", count: 600)))
        #expect(reply.line.utf8.count == "check-result|1|error|".utf8.count + 1000 + 1)
        #expect(reply.line.hasSuffix("é\n"))
        let odd = LineTableReply(operation: "check", id: "1", result: .error("a" + String(repeating: "é", count: 600)))
        #expect(odd.line.utf8.count == "check-result|1|error|".utf8.count + 999 + 1)
        #expect(odd.line.hasSuffix("é\n"))
    }
}
