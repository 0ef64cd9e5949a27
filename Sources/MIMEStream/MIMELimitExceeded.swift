/// A bound of ``MIMELimits`` that a message went past, so that part of what a reader sees
/// of it is not decoded as a reader sees it: what the stream passes on misses something.
public enum MIMELimitExceeded: Equatable, Sendable, CustomStringConvertible {
    /// A header (of the message, of a part or of an attached message), unfolded, is longer
    /// than ``MIMELimits/headerBytes``: only its first bytes are passed on. The header's name.
    case headerBytes(name: String, limit: Int)
    /// A line of decoded text is longer than ``MIMELimits/lineBytes``: it is passed on in
    /// pieces, and text across a cut is in no piece.
    case lineBytes(limit: Int)
    /// More parts than ``MIMELimits/maximumParts``: the rest of the message is passed on
    /// undecoded (its parts' names, types and encoded text are not seen).
    case parts(limit: Int)
    /// Multiparts or attached messages nested deeper than ``MIMELimits/maximumDepth``: the
    /// deeper entity is passed on undecoded.
    case depth(limit: Int)
    /// A multipart boundary longer than ``MIMELimits/boundaryBytes``: the multipart is
    /// passed on undecoded.
    case boundaryBytes(limit: Int)

    /// Whether it is the header limit (the others concern the MIME structure and the text).
    public var isHeaderLimit: Bool {
        if case .headerBytes = self { return true }
        return false
    }

    /// What went past which bound, without anything the sender wrote (no header name): for
    /// the SMTP reply.
    public var replyText: String {
        if case .headerBytes(_, let limit) = self { return "a header longer than \(limit) bytes" }
        return description
    }

    /// What went past which bound, the header's name included, for logs.
    public var description: String {
        switch self {
        case .headerBytes(let name, let limit):
            return "a header\(name.isEmpty ? "" : " (\(name))") longer than \(limit) bytes"
        case .lineBytes(let limit): return "a line of decoded text longer than \(limit) bytes"
        case .parts(let limit): return "more than \(limit) MIME parts"
        case .depth(let limit): return "MIME parts nested deeper than \(limit)"
        case .boundaryBytes(let limit): return "a multipart boundary longer than \(limit) bytes"
        }
    }
}
