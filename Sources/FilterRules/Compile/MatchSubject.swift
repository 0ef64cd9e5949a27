import DNSLists

/// What a stage's rules are matched against.
public struct MatchSubject: Sendable {
    /// The text as bytes (hostname, address, HELO argument, mail address, header line, data line).
    public var bytes: [UInt8]
    /// For `addr`: the parsed client address (CIDR rules match it).
    public var address: IPAddress?
    /// For `header`: the header's lowercased name and where its value starts in `bytes`.
    public var header: HeaderParts?
    /// For inputs that `listed` terms look up: the results by list name (nil for other
    /// inputs, such as message lines).
    public var listings: [String: DNSListResult]?
    /// For `score` terms: the transaction's score at the point.
    public var score: Score?

    /// The name and value offsets of a header line.
    public struct HeaderParts: Sendable, Equatable {
        /// The name, lowercased ASCII.
        public var lowercasedName: [UInt8]
        /// Offset of the value (after the colon and leading whitespace).
        public var valueStart: Int

        /// Splits `Name: value`; nil when the line has no colon.
        public init?(line: [UInt8]) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            var nameEnd = colon
            while nameEnd > 0 && (line[nameEnd - 1] == 0x20 || line[nameEnd - 1] == 0x09) { nameEnd -= 1 }
            lowercasedName = line[0..<nameEnd].map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }
            var start = colon + 1
            while start < line.count && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
            valueStart = start
        }
    }

    /// A subject of plain text.
    public init(text: String) {
        self.bytes = Array(text.utf8)
    }

    /// A subject of bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The subject of `addr` rules.
    public init(address text: String) {
        self.bytes = Array(text.utf8)
        self.address = IPAddress(text)
    }

    /// The subject of `header` rules: one unfolded header line.
    public init(headerLine: [UInt8]) {
        self.bytes = headerLine
        self.header = HeaderParts(line: headerLine)
    }
}
