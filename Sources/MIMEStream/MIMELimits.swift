/// The bounds a ``MIMEStream`` keeps to, so a message of any shape costs bounded memory and
/// time.
public struct MIMELimits: Equatable, Sendable {
    /// How deep multiparts and attached messages nest: an entity at this depth (the message
    /// is at 0) is not opened further; its body is scanned as plain text.
    public var maximumDepth: Int
    /// How many parts (body parts of every multipart) a message has: beyond, the rest of the
    /// message is scanned line by line as plain text, undecoded.
    public var maximumParts: Int
    /// How many bytes of one unfolded header are kept; 0 keeps it whole.
    public var headerBytes: Int
    /// The longest line of base64 or quoted-printable decoded text passed on; longer lines
    /// come in pieces of this size. (A line of a part without transfer encoding is one raw
    /// line, whole.)
    public var lineBytes: Int
    /// The longest multipart boundary (RFC 2046 allows 70 characters); a longer one is not
    /// taken as one.
    public var boundaryBytes: Int

    /// The defaults: depth 20, 1,000 parts, 64 KiB of a header, lines of 64 KiB, boundaries of 200.
    public static let `default` = MIMELimits()

    /// Creates limits.
    public init(
        maximumDepth: Int = 20, maximumParts: Int = 1000, headerBytes: Int = 64 * 1024,
        lineBytes: Int = 64 * 1024, boundaryBytes: Int = 200
    ) {
        self.maximumDepth = maximumDepth
        self.maximumParts = maximumParts
        self.headerBytes = headerBytes
        self.lineBytes = lineBytes
        self.boundaryBytes = boundaryBytes
    }
}
