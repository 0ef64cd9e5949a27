/// Where a file stops being UTF-8: the first byte that does not belong to a valid UTF-8
/// sequence, as a line and a column counted the way diagnostics count them.
struct UTF8Location: Equatable {
    /// The physical line, 1-based.
    var line: Int
    /// The column in characters, 1-based.
    var column: Int
    /// The offending byte.
    var byte: UInt8

    /// The first invalid byte of `bytes`, nil when they are all valid UTF-8.
    static func firstInvalid(in bytes: [UInt8]) -> UTF8Location? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return location(of: offset, in: bytes)
            }
        }
    }

    /// The line and column of byte `offset`, the bytes before it being valid UTF-8.
    private static func location(of offset: Int, in bytes: [UInt8]) -> UTF8Location {
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let before = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
        return UTF8Location(line: line, column: before.count + 1, byte: bytes[offset])
    }
}
