extension DataLine {
    /// Appends the line as a `filter-dataline` answer carries it to `bytes`: without the
    /// line breaks it may hold (an answer line cannot carry one), then dot-stuffed (a line
    /// that starts with `.` gets one more, RFC 5321 section 4.5.2; so a line that is only a
    /// `\n` and a `.` never ends the message), ended by `\n`. The answer's prefix is the
    /// caller's.
    func appendStuffed(to bytes: inout [UInt8]) {
        if let first = self.bytes.first(where: { $0 != 10 }), first == UInt8(ascii: ".") { bytes.append(UInt8(ascii: ".")) }
        for byte in self.bytes where byte != 10 { bytes.append(byte) }
        bytes.append(10)
    }
}
