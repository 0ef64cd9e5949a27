/// Passes UTF-8 through as it streams, each ill-formed sequence replaced by U+FFFD (one per
/// maximal ill-formed subpart, as Unicode recommends), so invalid bytes stay visible to the
/// rules as the replacement character. A sequence cut at the end of one chunk is carried
/// into the next.
struct UTF8Repair {
    /// The start of a sequence the last chunk ended in (at most 3 bytes).
    private var carry: [UInt8] = []

    /// U+FFFD REPLACEMENT CHARACTER in UTF-8.
    static let replacement: [UInt8] = [0xef, 0xbf, 0xbd]

    /// Appends `input`, repaired, to `output`; at the `final` chunk a cut sequence is
    /// replaced too. False when something was replaced.
    mutating func append(_ input: [UInt8], final: Bool, into output: inout [UInt8]) -> Bool {
        var bytes = input
        if !carry.isEmpty {
            bytes = carry + input
            carry.removeAll(keepingCapacity: true)
        }
        var clean = true
        var index = 0
        let count = bytes.count
        output.reserveCapacity(output.count + count)
        while index < count {
            let length = Self.validLength(bytes, at: index)
            if length > 0 {
                output.append(contentsOf: bytes[index..<index + length])
                index += length
            } else if length == 0 {
                // Cut at the end of the chunk.
                if final {
                    output.append(contentsOf: Self.replacement)
                    clean = false
                } else {
                    carry.append(contentsOf: bytes[index...])
                }
                break
            } else {
                output.append(contentsOf: Self.replacement)
                clean = false
                index += -length
            }
        }
        return clean
    }

    /// Whether `bytes` are well-formed UTF-8 (pure ASCII is checked fast).
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let length = validLength(bytes, at: index)
            if length <= 0 { return false }
            index += length
        }
        return true
    }

    /// The length of the well-formed sequence at `index`; 0 when a well-formed start is cut
    /// by the end of `bytes`; minus the length of the ill-formed subpart otherwise.
    private static func validLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0: length = 3; low = 0xa0
        case 0xe1...0xec, 0xee, 0xef: length = 3
        case 0xed: length = 3; high = 0x9f
        case 0xf0: length = 4; low = 0x90
        case 0xf1...0xf3: length = 4
        case 0xf4: length = 4; high = 0x8f
        default: return -1
        }
        for offset in 1..<length {
            guard index + offset < bytes.count else { return 0 }
            let byte = bytes[index + offset]
            let (min, max) = offset == 1 ? (low, high) : (0x80, 0xbf)
            if byte < min || byte > max { return -offset }
        }
        return length
    }
}
