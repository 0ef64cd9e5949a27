@testable import OpenSMTPD
import Testing

@Suite("Public model types")
struct ModelTests {
    @Test("IPv4 sockaddr: port in network order on the wire, host order in the API")
    func ipv4() throws {
        let raw: [UInt8] = [0x02, 0x00, 0x9c, 0x40, 0xc0, 0x00, 0x02, 0x07, 0, 0, 0, 0, 0, 0, 0, 0]
        let address = Sockaddr(rawBytes: raw)
        #expect(address.ip == "192.0.2.7")
        #expect(address.port == 40000)
        #expect(address.network == "tcp4")
        #expect(address.description == "192.0.2.7:40000")
        #expect(Sockaddr(ipv4: "192.0.2.7", port: 40000)?.rawBytes == raw)
        // The fact sheet's m_add_sockaddr example.
        var writer = PayloadWriter()
        writer.appendSockaddr(address)
        #expect(writer.bytes == [0x10, 0, 0, 0, 0, 0, 0, 0] + raw)
    }

    @Test("IPv6 sockaddr")
    func ipv6() throws {
        let address = try #require(Sockaddr(ipv6: "2001:db8::1", port: 25))
        #expect(address.rawBytes.count == 28)
        #expect(Array(address.rawBytes[0..<4]) == [0x0a, 0x00, 0x00, 0x19])
        #expect(address.ip == "2001:db8::1")
        #expect(address.port == 25)
        #expect(address.network == "tcp6")
        #expect(address.description == "[2001:db8::1]:25")
    }

    @Test("unknown families keep their bytes")
    func unknownFamily() {
        let unix = Sockaddr(rawBytes: [0x01, 0x00] + Array("/run/s".utf8) + [0])
        #expect(unix.network == "unix" && unix.unixPath == "/run/s" && unix.ip == nil && unix.port == nil)
        let odd = Sockaddr(rawBytes: [0x11, 0x00, 1, 2])
        #expect(odd.network == "unknown" && odd.description == "family 17 (4 bytes)")
    }

    @Test("constants match the C headers")
    func constants() {
        #expect(FilterVersion == 52 && QueueVersion == 2 && TableVersion == 2)
        #expect(FilterStatus.allCases.map(\.rawValue) == [0, 1, 2])
        #expect(FilterHooks.dataLine.rawValue == 0x400 && FilterHooks.rollback.rawValue == 0x200)
        #expect(TableService.mailaddrMap.rawValue == 0x100 && TableService.string.rawValue == 0x400 && TableService.any.rawValue == 0xfff)
        #expect(TableService.regex.rawValue == 0x800 && TableService.auth.rawValue == 0x1000)
        #expect(TableService.mailaddrMap.description == "mailaddrmap")
        #expect(TableService(name: "maddrmap") == .mailaddrMap && TableService(name: "MailAddrMap") == .mailaddrMap)
        #expect(TableService(wireName: "mailaddrmap") == .mailaddrMap && TableService(wireName: "maddrmap") == nil)
        #expect(TableService(wireName: "none") == nil && TableService(wireName: "Alias") == nil)
        #expect(TableService(name: "relayhost") == .relayHost)
        #expect(TableService.any.members.count == 12 && !TableService.any.contains(.auth))
        #expect(([.alias, .domain] as TableService).description == "alias|domain")
    }

    @Test("Dict keeps order and replaces duplicates")
    func dict() {
        var dict: Dict = ["b": "1", "a": "2"]
        dict["b"] = "3"
        dict["c"] = "4"
        #expect(dict.keys == ["b", "a", "c"] && dict["b"] == "3")
        dict["a"] = nil
        #expect(dict.description == "{b=3, c=4}")
    }

    @Test("filter arguments accept -d and -v anywhere")
    func arguments() {
        let parsed = FilterArguments(["rules", "/etc/mail/rules.conf", "-v", "-d"])
        #expect(parsed.name == "rules" && parsed.positional == ["/etc/mail/rules.conf"])
        #expect(parsed.foreground && parsed.verbosity == 1)
        #expect(FilterArguments(["x", "-dvv", "--", "-d"]).positional == ["-d"])
    }

    @Test("mail addresses print as smtpd does")
    func mailAddress() {
        #expect(MailAddress(user: "", domain: "").description == "<>")
        #expect(MailAddress(user: "a", domain: "b.example").description == "a@b.example")
    }
}
