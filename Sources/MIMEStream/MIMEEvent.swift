/// What a ``MIMEStream`` finds in a message, in message order.
public enum MIMEEvent: Equatable, Sendable {
    /// A header of the message or of one of its parts (or of a message inside it): the
    /// header unfolded (continuation lines joined, line breaks removed), its name and what
    /// follows the colon as written, the value's RFC 2047 encoded-words decoded to UTF-8.
    case header([UInt8])
    /// A line of the text the reader sees: of a `text/*` part, transfer-decoded, converted
    /// from its charset to UTF-8 (ill-formed bytes as U+FFFD), without tags for `text/html`.
    case text([UInt8])
    /// A part's file name (`Content-Disposition` filename, `Content-Type` name) in UTF-8.
    case attachmentName([UInt8])
    /// A part's media type, `type/subtype` lowercased (the default where none is declared).
    case mimeType([UInt8])
    /// The target of a link in a `text/html` part, which its text does not show: the value
    /// of an `href`, `src` or `action` attribute as written (only from a stream that
    /// ``MIMEStream/emitsLinks``).
    case link([UInt8])
    /// Something that could not be decoded as declared; the text was taken as it is. For
    /// logs at debug level.
    case problem(String)
    /// The message went past a bound of ``MIMELimits``: part of what a reader sees is
    /// missing from the other events (each kind once per header, part or message).
    case limitExceeded(MIMELimitExceeded)
}
