import Testing
@testable import FilterRules

@Suite("IP addresses")
struct IPAddressTests {
    @Test func parsesIPv4AndIPv6() throws {
        let v4 = try #require(IPAddress("192.0.2.1"))
        #expect(v4.bytes == [192, 0, 2, 1])
        #expect(v4.isIPv4)
        #expect(v4.description == "192.0.2.1")
        let v6 = try #require(IPAddress("2001:DB8:0:0::1"))
        #expect(v6.bytes.count == 16)
        #expect(!v6.isIPv4)
        #expect(v6.description == "2001:db8::1")
        #expect(IPAddress("[::1]")?.description == "::1")
    }

    @Test func rejectsNonAddresses() {
        #expect(IPAddress("") == nil)
        #expect(IPAddress("example.org") == nil)
        #expect(IPAddress("192.0.2.256") == nil)
        #expect(IPAddress("192.0.2.1\0junk") == nil)
        #expect(IPAddress("[]") == nil)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [10, 0, 0, 1])?.description == "10.0.0.1")
    }

    @Test func unmapsIPv4MappedAddresses() {
        #expect(IPAddress("::ffff:192.0.2.1")?.unmappedIPv4 == IPAddress("192.0.2.1"))
        #expect(IPAddress("::1")?.unmappedIPv4 == nil)
        #expect(IPAddress("192.0.2.1")?.unmappedIPv4 == nil)
    }
}

@Suite("CIDR blocks")
struct CIDRTests {
    func block(_ text: String) throws -> CIDRBlock {
        try CIDRBlock.parse(text).get()
    }

    func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text))
    }

    func parseError(_ text: String) -> String? {
        guard case .failure(let error) = CIDRBlock.parse(text) else { return nil }
        return error.message
    }

    @Test func ipv4Block() throws {
        let net = try block("192.0.2.0/24")
        #expect(net.prefixLength == 24)
        #expect(net.description == "192.0.2.0/24")
        #expect(net.contains(try address("192.0.2.0")))
        #expect(net.contains(try address("192.0.2.255")))
        #expect(!net.contains(try address("192.0.3.0")))
        #expect(!net.contains(try address("192.0.1.255")))
    }

    @Test func unalignedPrefixAndMasking() throws {
        let net = try block("10.1.2.3/20")
        #expect(net.description == "10.1.0.0/20")
        #expect(net.contains(try address("10.1.15.255")))
        #expect(!net.contains(try address("10.1.16.0")))
    }

    @Test func ipv6Block() throws {
        let net = try block("2001:db8::ffff/32")
        #expect(net.description == "2001:db8::/32")
        #expect(net.contains(try address("2001:db8:1234::1")))
        #expect(!net.contains(try address("2001:db9::1")))
        #expect(!net.contains(try address("192.0.2.1")))
    }

    @Test func mappedAddressesMatchIPv4Blocks() throws {
        let net = try block("192.0.2.0/24")
        #expect(net.contains(try address("::ffff:192.0.2.7")))
        #expect(!net.contains(try address("::ffff:198.51.100.7")))
        #expect(!net.contains(try address("::c000:207")))
        #expect(!(try block("::/0")).contains(try address("192.0.2.1")))
    }

    @Test func edges() throws {
        let all = try block("1.2.3.4/0")
        #expect(all.description == "0.0.0.0/0")
        #expect(all.contains(try address("255.255.255.255")))
        #expect(all.contains(try address("0.0.0.0")))
        #expect(!all.contains(try address("::1")))
        let host = try block("192.0.2.1/32")
        #expect(host.contains(try address("192.0.2.1")))
        #expect(!host.contains(try address("192.0.2.0")))
        #expect(try block("192.0.2.1") == host)
        let v6Host = try block("::1")
        #expect(v6Host.prefixLength == 128)
        #expect(v6Host.contains(try address("::1")))
        #expect(!v6Host.contains(try address("::2")))
    }

    @Test func errors() {
        #expect(parseError("x") == "not an IP address: 'x'")
        #expect(parseError("x/24") == "not an IP address: 'x'")
        #expect(parseError("192.0.2.0/abc") == "prefix length 'abc' is not a number")
        #expect(parseError("192.0.2.0/") == "prefix length '' is not a number")
        #expect(parseError("192.0.2.0/-1") == "prefix length '-1' is not a number")
        #expect(parseError("192.0.2.0/33") == "prefix length 33 out of range 0-32")
        #expect(parseError("2001:db8::/129") == "prefix length 129 out of range 0-128")
        #expect(parseError("2001:db8::/128") == nil)
    }

    @Test func looksLikeCIDR() {
        #expect(CIDRBlock.looksLikeCIDR("192.0.2.0/24"))
        #expect(CIDRBlock.looksLikeCIDR("2001:db8::/32"))
        #expect(CIDRBlock.looksLikeCIDR("::1"))
        #expect(CIDRBlock.looksLikeCIDR("10.0.0.1"))
        #expect(!CIDRBlock.looksLikeCIDR("abc"))
        #expect(!CIDRBlock.looksLikeCIDR("123"))
        #expect(!CIDRBlock.looksLikeCIDR("mail.example.org"))
        #expect(!CIDRBlock.looksLikeCIDR("10.0.0.0/8/8"))
        #expect(!CIDRBlock.looksLikeCIDR("10.0.0.0/"))
        #expect(!CIDRBlock.looksLikeCIDR("10.0.0.0/x"))
        #expect(!CIDRBlock.looksLikeCIDR("^10\\.0"))
    }
}
