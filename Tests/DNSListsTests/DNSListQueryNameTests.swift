@testable import DNSLists
import Testing

@Suite("DNS lists: query names")
struct DNSListQueryNameTests {
    @Test("IPv4 octets reversed, IPv6 nibbles reversed (RFC 5782's examples)")
    func addresses() {
        #expect(DNSListQueryName.forAddress("192.0.2.99", zone: "bad.example.com") == "99.2.0.192.bad.example.com")
        #expect(
            DNSListQueryName.forAddress("2001:db8:1:2:3:4:567:89ab", zone: "ugly.example.com")
                == "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.ugly.example.com")
        #expect(DNSListQueryName.forAddress("::1", zone: "z.test")?.hasPrefix("1.0.0.0.") == true)
        for bad in ["", "192.0.2", "192.0.2.256", "unix:/var/run/x", "[192.0.2.1]", "localhost"] {
            #expect(DNSListQueryName.forAddress(bad, zone: "z.test") == nil, "\(bad)")
        }
    }

    @Test("domains lowercased, a final dot dropped; what is not a domain is not looked up")
    func domains() {
        #expect(DNSListQueryName.forDomain("Mail.Example.COM.", zone: "dbl.test") == "mail.example.com.dbl.test")
        #expect(DNSListQueryName.forDomain("xn--bcher-kva.example", zone: "dbl.test") == "xn--bcher-kva.example.dbl.test")
        #expect(DNSListQueryName.forDomain("_dmarc.example.org", zone: "z.test") == "_dmarc.example.org.z.test")
        let long = String(repeating: "a", count: 63) + ".example"
        #expect(DNSListQueryName.forDomain(long, zone: "z.test") != nil)
        for bad in [
            "", ".", "localhost", "[192.0.2.1]", "a..example", ".example.com", "ex ample.com", "exämple.com",
            String(repeating: "a", count: 64) + ".example", "a\u{0}.example", "ex/ample.com",
        ] {
            #expect(DNSListQueryName.forDomain(bad, zone: "z.test") == nil, "\(bad)")
        }
        let nearLimit = (0..<4).map { _ in String(repeating: "b", count: 61) }.joined(separator: ".")
        #expect(DNSListQueryName.forDomain(nearLimit, zone: "zz.test") == nil)  // 247 + 8 > 253
        #expect(DNSListQueryName.forDomain(String(nearLimit.dropFirst(2)), zone: "zz.test")?.utf8.count == 253)
    }

    @Test("zones: two labels at least, room for an IPv6 name in front, no final dot")
    func zones() {
        #expect(DNSListQueryName.isValidZone("zen.spamhaus.org"))
        #expect(DNSListQueryName.isValidZone("Zen.Spamhaus.org"))
        for bad in ["", "org", "zen.spamhaus.org.", "zen..org", "zen spamhaus.org", String(repeating: "a.", count: 95) + "org"] {
            #expect(!DNSListQueryName.isValidZone(bad), "\(bad)")
        }
    }

    @Test("resolver addresses: IPv4 with or without a port, IPv6 in brackets with one")
    func servers() {
        #expect(DNSServerAddress("127.0.0.1")?.description == "127.0.0.1:53")
        #expect(DNSServerAddress("127.0.0.1:5353")?.description == "127.0.0.1:5353")
        #expect(DNSServerAddress("[::1]:5353")?.description == "[::1]:5353")
        #expect(DNSServerAddress("::1")?.description == "[::1]:53")
        #expect(DNSServerAddress("[::1]")?.port == 53)
        for bad in ["", "localhost", "127.0.0.1:0", "127.0.0.1:70000", "[127.0.0.1]:53", "[::1]x", "::1:53:", "1.2.3.4:x"] {
            #expect(DNSServerAddress(bad) == nil, "\(bad)")
        }
    }
}
