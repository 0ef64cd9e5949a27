/// A list file compiled for lookups by hashing: whole values, `@domain` entries (any address
/// of that domain), `.domain` entries (that domain and its subdomains, in addresses and host
/// names), and for `addr` lists addresses and CIDR blocks. Matching is case-insensitive
/// (ASCII). A lookup costs a few hash probes whatever the number of entries: one per label of
/// a name, one per distinct prefix length of the address blocks.
public struct ListMatcher: Sendable {
    /// The whole values, lowercased.
    private var values: Set<[UInt8]> = []
    /// The domains of `@domain` entries, lowercased, without the `@`.
    private var addressDomains: Set<[UInt8]> = []
    /// The domains of `.domain` entries, lowercased, without the leading dot.
    private var domainSuffixes: Set<[UInt8]> = []
    /// The networks of the address blocks, by prefix length (an address is a block of its
    /// full length), IPv4 and IPv6 apart.
    private var networks: [Int: Set<[UInt8]>] = [:]
    /// The prefix lengths present, longest first.
    private var prefixLengths: [(length: Int, family: Int)] = []
    /// How many entries the list has.
    public private(set) var count = 0

    /// An empty list.
    public init() {}

    /// Adds one entry as written in the file (trimmed, not empty); for an `addr` list an
    /// address or a block, else a value. Returns why an entry cannot be used.
    mutating func add(_ entry: String, forAddresses: Bool) -> String? {
        count += 1
        if forAddresses {
            if let address = IPAddress(entry) {
                insert(network: address.bytes, length: address.bytes.count * 8)
                return nil
            }
            switch CIDRBlock.parse(entry) {
            case .success(let block):
                insert(network: block.network.bytes, length: block.prefixLength)
                return nil
            case .failure(let failure):
                if CIDRBlock.looksLikeCIDR(entry) { return failure.message }
            // Not an address: a value like any other (an addr term also sees the text).
            }
        }
        let bytes = Self.lowercased(Array(entry.utf8))
        if bytes.first == UInt8(ascii: "@"), bytes.count > 1 {
            addressDomains.insert(Array(bytes.dropFirst()))
        } else if bytes.first == UInt8(ascii: "."), bytes.count > 1 {
            domainSuffixes.insert(Array(bytes.dropFirst()))
        } else {
            values.insert(bytes)
        }
        return nil
    }

    private mutating func insert(network: [UInt8], length: Int) {
        let family = network.count
        let key = length + (family == 16 ? 1000 : 0)
        if networks[key] == nil {
            prefixLengths.append((length, family))
            prefixLengths.sort { $0.length > $1.length }
        }
        networks[key, default: []].insert(CIDRBlock.mask(network, to: length))
    }

    /// Whether `subject` (the term's input: a name, an address, a header value) is on the list.
    public func contains(_ subject: [UInt8], address: IPAddress? = nil) -> Bool {
        if let address, !networks.isEmpty {
            let candidates = [address] + (address.unmappedIPv4.map { [$0] } ?? [])
            for candidate in candidates {
                for (length, family) in prefixLengths where family == candidate.bytes.count {
                    let key = length + (family == 16 ? 1000 : 0)
                    if networks[key]?.contains(CIDRBlock.mask(candidate.bytes, to: length)) == true { return true }
                }
            }
        }
        let value = Self.lowercased(Self.trimmed(subject))
        if values.contains(value) { return true }
        guard !addressDomains.isEmpty || !domainSuffixes.isEmpty else { return false }
        // The domain of an address, or the whole value as a host name.
        var host = value[...]
        if let at = value.lastIndex(of: UInt8(ascii: "@")) {
            host = value[(at + 1)...]
            if addressDomains.contains(Array(host)) { return true }
        }
        guard !domainSuffixes.isEmpty else { return false }
        var labels = host
        while !labels.isEmpty {
            if domainSuffixes.contains(Array(labels)) { return true }
            guard let dot = labels.firstIndex(of: UInt8(ascii: ".")) else { break }
            labels = labels[(dot + 1)...]
        }
        return false
    }

    private static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }
    }

    /// Without `<` `>` around an address and blanks around the value.
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 || last == 0x0d { slice = slice.dropLast() }
        if slice.first == UInt8(ascii: "<"), slice.last == UInt8(ascii: ">"), slice.count > 2 {
            slice = slice.dropFirst().dropLast()
        }
        return Array(slice)
    }
}
