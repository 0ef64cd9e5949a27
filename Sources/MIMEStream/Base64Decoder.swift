/// A streaming base64 decoder (RFC 2045 section 6.8), fed one encoded line at a time: a
/// quantum split across lines is carried over, whitespace is skipped, `=` ends a quantum
/// (so concatenated encodings decode too).
struct Base64Decoder {
    /// The sextets of the quantum under way, most significant first.
    private var bits: UInt32 = 0
    /// How many sextets `bits` holds (0 to 3).
    private var count = 0

    /// Decodes `line`, appending the bytes to `output`. A line with a character outside the
    /// base64 alphabet (other than whitespace and `=`) is not base64: nothing of it is decoded,
    /// the decoder's state and `output` stay as they were, and the result is false.
    mutating func decode(_ line: [UInt8], into output: inout [UInt8]) -> Bool {
        let savedBits = bits, savedCount = count, savedLength = output.count
        let valid = line.withUnsafeBufferPointer { buffer -> Bool in
            Self.table.withUnsafeBufferPointer { table in
                for byte in buffer {
                    let value = table[Int(byte)]
                    if value < 64 {
                        bits = bits << 6 | UInt32(value)
                        count += 1
                        if count == 4 {
                            output.append(UInt8(truncatingIfNeeded: bits >> 16))
                            output.append(UInt8(truncatingIfNeeded: bits >> 8))
                            output.append(UInt8(truncatingIfNeeded: bits))
                            bits = 0
                            count = 0
                        }
                    } else if value == Self.padding {
                        flushPartial(into: &output)
                    } else if value != Self.whitespace {
                        return false
                    }
                }
                return true
            }
        }
        if !valid {
            bits = savedBits
            count = savedCount
            output.removeSubrange(savedLength...)
        }
        return valid
    }

    /// The end of the encoded text: a quantum left incomplete gives the bytes it holds;
    /// false when a lone sextet was left (the encoding was cut).
    mutating func finish(into output: inout [UInt8]) -> Bool {
        let lone = count == 1
        flushPartial(into: &output)
        return !lone
    }

    /// Ends the quantum under way: two sextets make one byte, three make two.
    private mutating func flushPartial(into output: inout [UInt8]) {
        switch count {
        case 2: output.append(UInt8(truncatingIfNeeded: bits >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: bits >> 10))
            output.append(UInt8(truncatingIfNeeded: bits >> 2))
        default: break
        }
        bits = 0
        count = 0
    }

    /// Decodes a whole encoded text at once (an RFC 2047 `B` encoded-word); nil when it is
    /// not base64.
    static func decodeWhole(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var decoder = Base64Decoder()
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        guard decoder.decode(Array(text), into: &output) else { return nil }
        _ = decoder.finish(into: &output)
        return output
    }

    private static let whitespace: UInt8 = 64
    private static let padding: UInt8 = 65
    private static let invalid: UInt8 = 255

    /// Each byte's sextet, or whitespace, padding or invalid.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        for byte in [0x20, 0x09, 0x0d, 0x0a] { table[byte] = whitespace }
        table[Int(UInt8(ascii: "="))] = padding
        return table
    }()
}
