@testable import DNSLists
import Testing

@Suite("DNS lists: answer codes")
struct DNSListCodesTests {
    @Test("no codes: all of 127.0.0.0/8 counts, nothing outside it")
    func defaultCodes() throws {
        let codes = try DNSListCodes(parsing: [])
        #expect(codes == .loopbackBlock)
        #expect(codes.classify(IPv4Text.parse("127.0.0.2")!) == .listed)
        #expect(codes.classify(IPv4Text.parse("127.0.1.4")!) == .listed)
        #expect(codes.classify(IPv4Text.parse("192.0.2.10")!) == .notListed)
        #expect(codes.classify(IPv4Text.parse("128.0.0.0")!) == .notListed)
    }

    @Test("addresses, ranges and blocks; an answer outside them is not a match")
    func forms() throws {
        let codes = try DNSListCodes(parsing: ["127.0.0.2-127.0.0.11", "127.0.1.0/24", "127.0.0.20"])
        for listed in ["127.0.0.2", "127.0.0.11", "127.0.1.0", "127.0.1.255", "127.0.0.20"] {
            #expect(codes.classify(IPv4Text.parse(listed)!) == .listed, "\(listed)")
        }
        for clean in ["127.0.0.1", "127.0.0.12", "127.0.2.0", "127.0.0.19", "10.0.0.2"] {
            #expect(codes.classify(IPv4Text.parse(clean)!) == .notListed, "\(clean)")
        }
        #expect(codes.description == "127.0.0.2-127.0.0.11 127.0.1.0-127.0.1.255 127.0.0.20")
    }

    @Test("Spamhaus's refused-resolver answers are never a match, whatever the codes")
    func refusedResolver() throws {
        for codes in [try DNSListCodes(parsing: []), try DNSListCodes(parsing: ["127.255.255.0/24"])] {
            for code in ["127.255.255.252", "127.255.255.254", "127.255.255.255"] {
                #expect(codes.classify(IPv4Text.parse(code)!) == .resolverRefused)
            }
            #expect(codes.classify(IPv4Text.parse("127.255.255.253")!) == .listed)
        }
    }

    @Test("a bad word is refused with what to write instead")
    func errors() {
        #expect(throws: DNSListCodeError.notAnAddress(word: "127.0.0", part: "127.0.0")) { try DNSListCodes(parsing: ["127.0.0"]) }
        #expect(throws: DNSListCodeError.notAnAddress(word: "127.0.0.2-x", part: "x")) { try DNSListCodes(parsing: ["127.0.0.2-x"]) }
        #expect(throws: DNSListCodeError.badPrefixLength(word: "127.0.0.0/33")) { try DNSListCodes(parsing: ["127.0.0.0/33"]) }
        #expect(throws: DNSListCodeError.hostBitsSet(word: "127.0.1.1/24", network: "127.0.1.0/24")) {
            try DNSListCodes(parsing: ["127.0.1.1/24"])
        }
        #expect(throws: DNSListCodeError.reversedRange(word: "127.0.0.9-127.0.0.2")) { try DNSListCodes(parsing: ["127.0.0.9-127.0.0.2"]) }
        #expect(throws: DNSListCodeError.notAnAddress(word: "127.00.0.2", part: "127.00.0.2")) { try DNSListCodes(parsing: ["127.00.0.2"]) }
        let text = DNSListCodeError.hostBitsSet(word: "127.0.1.1/24", network: "127.0.1.0/24").description
        #expect(text.contains("write 127.0.1.0/24"))
    }
}
