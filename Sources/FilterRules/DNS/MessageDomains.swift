import DNSLists

/// The domains a message names that `listed` terms of the message look up: the domains of
/// a header's addresses (`header From listed dbl`) and the host names of the links in its
/// decoded text (`body links listed dbl`), lowercased, each a valid name of two labels or
/// more. Addresses in brackets, hosts that are IP addresses and names with bytes a DNS
/// name cannot hold (an IDN not in its `xn--` form, an HTML entity) are left out: DNS
/// domain lists hold names, and Spamhaus's DBL answers an error to an address.
enum MessageDomains {
    /// The domains of a header's value (decoded, unfolded): the part after each `@`, in
    /// order; for a value without `@`, the value itself when it is one domain name.
    static func ofHeader(_ value: ArraySlice<UInt8>) -> [String] {
        var domains: [String] = []
        var index = value.startIndex
        var sawAt = false
        while let at = value[index...].firstIndex(of: UInt8(ascii: "@")) {
            sawAt = true
            let start = value.index(after: at)
            var end = start
            while end < value.endIndex, isHostByte(value[end]) { end += 1 }
            if let domain = domainName(value[start..<end]) { domains.append(domain) }
            index = end
        }
        if !sawAt {
            var start = value.startIndex, end = value.endIndex
            while start < end, isBlank(value[start]) { start += 1 }
            while end > start, isBlank(value[end - 1]) { end -= 1 }
            if start < end, value[start..<end].allSatisfy(isHostByte), let domain = domainName(value[start..<end]) {
                domains.append(domain)
            }
        }
        return domains
    }

    /// The host names of the links in one line of decoded text, in order: what follows
    /// `http://` or `https://` (any case; user and port left out), and names that start
    /// with `www.` at the start of a word.
    static func ofLinks(in text: [UInt8]) -> [String] {
        var hosts: [String] = []
        var index = 0
        let count = text.count
        while index < count {
            let byte = text[index] | 0x20
            if byte == UInt8(ascii: "h"), let afterScheme = schemeEnd(text, at: index) {
                var end = afterScheme
                while end < count, !isAuthorityDelimiter(text[end]) { end += 1 }
                if let host = host(ofAuthority: text[afterScheme..<end]) { hosts.append(host) }
                index = max(end, index + 1)
                continue
            }
            if byte == UInt8(ascii: "w"), index + 4 <= count, startsWord(text, at: index),
                text[index + 1] | 0x20 == UInt8(ascii: "w"), text[index + 2] | 0x20 == UInt8(ascii: "w"),
                text[index + 3] == UInt8(ascii: ".")
            {
                var end = index
                while end < count, isHostByte(text[end]) { end += 1 }
                if let host = domainName(text[index..<end]) { hosts.append(host) }
                index = end
                continue
            }
            index += 1
        }
        return hosts
    }

    // MARK: Internals

    /// Where the host of a link starts when `http://` or `https://` begins at `index`.
    private static func schemeEnd(_ text: [UInt8], at index: Int) -> Int? {
        // Compared byte by byte: this runs for every h in every decoded body line.
        guard index + 7 <= text.count, text[index] | 0x20 == UInt8(ascii: "h"), text[index + 1] | 0x20 == UInt8(ascii: "t"),
            text[index + 2] | 0x20 == UInt8(ascii: "t"), text[index + 3] | 0x20 == UInt8(ascii: "p")
        else { return nil }
        var cursor = index + 4
        if text[cursor] | 0x20 == UInt8(ascii: "s") { cursor += 1 }
        guard cursor + 3 <= text.count, text[cursor] == UInt8(ascii: ":"), text[cursor + 1] == UInt8(ascii: "/"),
            text[cursor + 2] == UInt8(ascii: "/")
        else { return nil }
        return cursor + 3
    }

    /// The host of a link's authority (`user@host:port`), nil when it is not a domain name.
    private static func host(ofAuthority authority: ArraySlice<UInt8>) -> String? {
        var host = authority
        if let at = host.lastIndex(of: UInt8(ascii: "@")) { host = host[host.index(after: at)...] }
        if let colon = host.firstIndex(of: UInt8(ascii: ":")) { host = host[..<colon] }
        return domainName(host)
    }

    /// `bytes` lowercased without a final dot, when they are a domain name a list can hold
    /// (two labels or more, and not an IPv4 address).
    private static func domainName(_ bytes: ArraySlice<UInt8>) -> String? {
        var name = bytes
        while name.last == UInt8(ascii: ".") { name = name.dropLast() }
        guard name.count >= 3, name.allSatisfy(isHostByte) else { return nil }
        // An address such as 192.0.2.1: its last label is digits only.
        let lastLabel = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).last ?? []
        guard !lastLabel.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let text = String(decoding: name.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self)
        // The zone is a stand-in: this checks the name's labels and length.
        guard DNSListQueryName.forDomain(text, zone: "x") != nil else { return nil }
        return text
    }

    /// Letters, digits, `-`, `_` and `.`.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// What ends a link's authority: blanks, controls, what starts its path, query or
    /// fragment, and quotes, brackets and punctuation around links in text and HTML.
    private static func isAuthorityDelimiter(_ byte: UInt8) -> Bool {
        if byte <= 0x20 || byte >= 0x7f { return true }
        switch byte {
        case UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
            UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "*"):
            return true
        default:
            return false
        }
    }

    /// Whether `index` starts a word (no letter, digit, `-`, `_`, `.` or `/` before it).
    private static func startsWord(_ text: [UInt8], at index: Int) -> Bool {
        index == 0 || !(isHostByte(text[index - 1]) || text[index - 1] == UInt8(ascii: "/") || text[index - 1] == UInt8(ascii: "@"))
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
