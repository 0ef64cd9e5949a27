import SMTPDTestDouble
import Testing

/// Every request type through the double against the real `table-example` process, with the
/// reply frames compared byte for byte.
@Suite("Table replies")
struct TableReplyTests {
    /// The 16-byte header of a PROC_TABLE_OK reply of `length` bytes from `pid`.
    static func okHeader(length: UInt16, pid: Int32) -> [UInt8] {
        [0, 0, 0, 0, UInt8(length & 0xff), UInt8(length >> 8), 0, 0, 0, 0, 0, 0] + le32(UInt32(pid))
    }

    static func pid(_ smtpd: TableDouble) -> Int32 { smtpd.process!.pid }

    @Test("UPDATE answers r from the callback: 1, then 0")
    func update() throws {
        let smtpd = try startOpenedExample()
        let first = try smtpd.update()
        #expect(first.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + le32(Int32(1)))
        let second = try smtpd.update()
        #expect(second.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + le32(Int32(0)))
    }

    @Test("CHECK answers 1 for a key in the table and 0 for others")
    func check() throws {
        let smtpd = try startOpenedExample()
        let found = try smtpd.check(service: TableWire.Service.alias.rawValue, key: "root")
        #expect(found.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + le32(Int32(1)))
        let missing = try smtpd.check(service: TableWire.Service.alias.rawValue, key: "nobody")
        #expect(missing.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + le32(Int32(0)))
    }

    @Test("LOOKUP answers r 1 and the NUL-terminated value, or r 0 alone when not found")
    func lookup() throws {
        let smtpd = try startOpenedExample()
        let found = try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: "root")
        #expect(
            found.frame.bytes == Self.okHeader(length: 38, pid: Self.pid(smtpd))
                + le32(Int32(1)) + Array("admin@example.org".utf8) + [0])
        #expect(found.value == "admin@example.org")
        // Not -1, as the Go package `opensmtpd.v52` answers: "not found" is 0.
        let missing = try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: "nobody")
        #expect(missing.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + le32(Int32(0)))
    }

    @Test("FETCH answers the values in turn")
    func fetch() throws {
        let smtpd = try startOpenedExample()
        var values: [String?] = []
        for _ in 0..<3 {
            let answer = try smtpd.fetch(service: TableWire.Service.source.rawValue)
            #expect(
                answer.frame.bytes == Self.okHeader(length: 30, pid: Self.pid(smtpd))
                    + le32(Int32(1)) + Array((answer.value ?? "").utf8) + [0])
            values.append(answer.value)
        }
        #expect(values == ["192.0.2.1", "192.0.2.2", "192.0.2.1"])
    }

    @Test("a throwing callback answers PROC_TABLE_OK with r -1 and logs why", arguments: ["check", "lookup"])
    func throwingCallback(_ request: String) throws {
        let smtpd = try startOpenedExample()
        let answer =
            request == "check"
            ? try smtpd.check(service: TableWire.Service.alias.rawValue, key: "fail")
            : try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: "fail")
        #expect(answer.frame.bytes == Self.okHeader(length: 20, pid: Self.pid(smtpd)) + [0xff, 0xff, 0xff, 0xff])
        // The table is still serving.
        #expect(try smtpd.check(service: TableWire.Service.alias.rawValue, key: "root").result == 1)
        let log = smtpd.process!.stderrText
        #expect(log.contains("\(request) callback failed, answering temporary failure: the key \"fail\" always fails"), "\(log)")
        #expect(log.contains("key=fail"))
    }

    @Test("an empty lookup value answers r -1 (the daemon cannot use it) and logs")
    func emptyValue() throws {
        let smtpd = try startOpenedExample()
        let answer = try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: "empty")
        #expect(answer.result == -1)
        #expect(answer.frame.payload == [0xff, 0xff, 0xff, 0xff])
        #expect(smtpd.process!.stderrText.contains("lookup callback returned an empty value, answering temporary failure"))
    }

    @Test("a request without a callback answers r -1, as the C library does, and warns once")
    func missingCallback() throws {
        let smtpd = try startOpenedExample(environment: ["TABLE_EXAMPLE_NO_FETCH": "1"])
        #expect(try smtpd.fetch(service: TableWire.Service.source.rawValue).frame.payload == [0xff, 0xff, 0xff, 0xff])
        #expect(try smtpd.fetch(service: TableWire.Service.source.rawValue).result == -1)
        let log = smtpd.process!.stderrText
        #expect(log.components(separatedBy: "no fetch callback: answering PROC_TABLE_FETCH with temporary failure").count == 2, "\(log)")
    }

    @Test("params reach the callback as a Dict, with the service")
    func paramsDecoded() throws {
        let smtpd = try startOpenedExample()
        let params = [("sender", "a@example.net"), ("rcpt", "b@example.org")]
        _ = try smtpd.lookup(service: TableWire.Service.alias.rawValue, params: params, key: "postmaster")
        _ = try smtpd.check(service: TableWire.Service.domain.rawValue, params: params, key: "example.org")
        _ = try smtpd.fetch(service: TableWire.Service.source.rawValue, params: [("k", "v")])
        let log = smtpd.process!.stderrText
        #expect(log.contains("lookup alias {sender=a@example.net, rcpt=b@example.org} postmaster"), "\(log)")
        #expect(log.contains("check domain {sender=a@example.net, rcpt=b@example.org} example.org"))
        #expect(log.contains("fetch source {k=v}"))
    }

    @Test("requests are answered one by one, in order, many times")
    func manyRequests() throws {
        let smtpd = try startOpenedExample()
        for round in 0..<200 {
            let key = round % 2 == 0 ? "root" : "nobody"
            let answer = try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: key)
            #expect(answer.value == (round % 2 == 0 ? "admin@example.org" : nil))
        }
        try smtpd.close()
        #expect(smtpd.process?.waitForExit(timeout: 1) == .exited(0))
    }
}
