/// Seeded pseudo-random numbers (SplitMix64): a load run with the same seed sends the same
/// messages, so a failure can be repeated.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Message content for load runs: the awkward cases mixed at random — binary bytes, empty
/// messages, lines that are a single dot, CRLF line ends, no final newline, and now and then
/// a line of 1 MiB.
public struct LoadMessages {
    /// The kinds of line a message is made of.
    enum LineKind: CaseIterable { case text, binary, dot, empty, crlf }

    /// Every `hugeLineEvery`-th message carries one line of `hugeLineLength` bytes.
    public var hugeLineEvery = 150
    /// The length of the long lines (1 MiB).
    public var hugeLineLength = 1 << 20
    private var random: SeededGenerator
    private var made = 0

    /// Messages from the generator seeded with `seed`.
    public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    /// The next message as the bytes smtpd writes into a v52 data pipe. One in ten is empty;
    /// one in five has no final newline; binary lines may hold any byte, `\n` and NUL included.
    public mutating func nextPipeMessage() -> [UInt8] {
        made += 1
        if Int.random(in: 0..<10, using: &random) == 0 { return [] }
        var bytes: [UInt8] = []
        for line in lines(allowNewlinesAndNUL: true) {
            bytes += line
            bytes.append(10)
        }
        if Int.random(in: 0..<5, using: &random) == 0, !bytes.isEmpty { bytes.removeLast() }
        return bytes
    }

    /// The next message as line-protocol data lines, as smtpd sends them: dot-stuffed (a line
    /// starting with `.` gets another), without `\n` or NUL, without the final `.`. One in ten
    /// is empty.
    public mutating func nextDataLines() -> [[UInt8]] {
        made += 1
        if Int.random(in: 0..<10, using: &random) == 0 { return [] }
        return lines(allowNewlinesAndNUL: false).map { $0.first == UInt8(ascii: ".") ? [UInt8(ascii: ".")] + $0 : $0 }
    }

    private mutating func lines(allowNewlinesAndNUL: Bool) -> [[UInt8]] {
        var lines: [[UInt8]] = [Array("Subject: load \(made)".utf8), Array("X-Seq: \(made)".utf8), []]
        for _ in 0..<Int.random(in: 1...40, using: &random) {
            lines.append(line(LineKind.allCases.randomElement(using: &random)!, allowNewlinesAndNUL: allowNewlinesAndNUL))
        }
        if made % hugeLineEvery == 0 {
            lines.insert(randomText(count: hugeLineLength), at: Int.random(in: 3...lines.count, using: &random))
        }
        return lines
    }

    private mutating func line(_ kind: LineKind, allowNewlinesAndNUL: Bool) -> [UInt8] {
        switch kind {
        case .text: return randomText(count: Int.random(in: 0...120, using: &random))
        case .dot: return [UInt8(ascii: ".")]
        case .empty: return []
        case .crlf: return randomText(count: Int.random(in: 0...80, using: &random)) + [13]
        case .binary:
            var bytes = randomBytes(count: Int.random(in: 1...300, using: &random))
            if !allowNewlinesAndNUL {
                for index in bytes.indices where bytes[index] == 10 || bytes[index] == 0 { bytes[index] = 0xff }
            }
            return bytes
        }
    }

    private mutating func randomBytes(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var index = 0
            while index < buffer.count {
                var word = random.next()
                for _ in 0..<min(8, buffer.count - index) {
                    buffer[index] = UInt8(truncatingIfNeeded: word)
                    word >>= 8
                    index += 1
                }
            }
        }
        return bytes
    }

    /// Printable ASCII, spaces and `|` (a field separator on the line protocol).
    private mutating func randomText(count: Int) -> [UInt8] {
        var bytes = randomBytes(count: count)
        bytes.withUnsafeMutableBytes { buffer in
            for index in 0..<buffer.count { buffer[index] = 32 + buffer[index] % 95 }
        }
        return bytes
    }
}
