/// An IPv4 or IPv6 network in CIDR notation, e.g. `192.0.2.0/24`.
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    /// The network address, with host bits beyond the prefix cleared.
    public let network: IPAddress
    /// The number of leading bits that identify the network.
    public let prefixLength: Int

    private init(network: IPAddress, prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    /// The network of `prefixLength` bits that `address` lies in (at most the address's
    /// width: a host).
    public init(containing address: IPAddress, prefixLength: Int) {
        let length = min(max(prefixLength, 0), address.bytes.count * 8)
        self.init(network: IPAddress(bytes: Self.mask(address.bytes, to: length)) ?? address, prefixLength: length)
    }

    /// Parses `address/prefix` or a bare address (meaning /32 or /128); host bits
    /// beyond the prefix are masked off.
    public static func parse(_ text: String) -> Result<CIDRBlock, CIDRParseError> {
        let addressText: Substring
        let prefixText: Substring?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            prefixText = text[text.index(after: slash)...]
        } else {
            addressText = Substring(text)
            prefixText = nil
        }
        guard let address = IPAddress(String(addressText)) else {
            return .failure(CIDRParseError(message: "not an IP address: '\(addressText)'"))
        }
        let maximum = address.bytes.count * 8
        guard let prefixText else {
            return .success(CIDRBlock(network: address, prefixLength: maximum))
        }
        guard !prefixText.isEmpty, prefixText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(CIDRParseError(message: "prefix length '\(prefixText)' is not a number"))
        }
        guard let length = Int(prefixText), length <= maximum else {
            return .failure(CIDRParseError(message: "prefix length \(prefixText) out of range 0-\(maximum)"))
        }
        let masked = IPAddress(bytes: mask(address.bytes, to: length)) ?? address
        return .success(CIDRBlock(network: masked, prefixLength: length))
    }

    /// Whether `address` lies in this network. An IPv4-mapped IPv6 address is matched
    /// against IPv4 blocks as its IPv4 address; otherwise families never mix.
    public func contains(_ address: IPAddress) -> Bool {
        var candidate = address
        if network.isIPv4, let unmapped = address.unmappedIPv4 {
            candidate = unmapped
        }
        guard candidate.bytes.count == network.bytes.count else { return false }
        return Self.mask(candidate.bytes, to: prefixLength) == network.bytes
    }

    /// The canonical text, e.g. `192.0.2.0/24`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// Whether `text` is plausibly meant as an address or CIDR block: only hex digits,
    /// `.` and `:`, at most one `/` followed by digits, and at least one `.` or `:`.
    public static func looksLikeCIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parts.first else { return false }
        guard address.allSatisfy({ ($0.isASCII && $0.isHexDigit) || $0 == "." || $0 == ":" }),
            address.contains(where: { $0 == "." || $0 == ":" })
        else { return false }
        if parts.count == 2 {
            let prefix = parts[1]
            return !prefix.isEmpty && prefix.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return true
    }

    /// Clears every bit of `bytes` after the first `length` bits.
    static func mask(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = min(max(length - index * 8, 0), 8)
            let keep: UInt8 = bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
            result[index] &= keep
        }
        return result
    }
}

/// A CIDR block or address that could not be parsed.
public struct CIDRParseError: Error, Sendable, Equatable {
    /// A human-readable description, e.g. `prefix length 33 out of range 0-32`.
    public var message: String

    /// Creates the error.
    public init(message: String) {
        self.message = message
    }
}
