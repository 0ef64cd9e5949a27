import OpenSMTPD

/// The header lines the rules add, as message lines.
enum HeaderInsertion {
    /// `headers` as data lines ending like `line` (the message's first line): with a CR
    /// before the newline when it has one, so a CRLF message stays CRLF.
    static func lines(_ headers: [String], endingLike line: DataLine) -> [DataLine] {
        let ending: [UInt8] = line.bytes.last == 0x0d ? [0x0d] : []
        return headers.map { DataLine(bytes: Array($0.utf8) + ending) }
    }
}
