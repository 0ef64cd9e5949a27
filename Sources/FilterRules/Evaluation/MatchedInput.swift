/// One input of a session as a stage's rules saw it: the recipient, the header line, the
/// body line... that a decision was made on.
public struct MatchedInput: Hashable, Sendable {
    /// The stage whose rules looked at it (a `connect` step's input is `addr` or `connect`).
    public var stage: Stage
    /// The input's bytes: the address or name, the unfolded header line, the data line
    /// without its line ending.
    public var bytes: [UInt8]
    /// For message stages: the 1-based number of the message line where the input starts,
    /// counting every line the filter received (smtpd's `Received:` header included).
    public var messageLine: Int?

    /// Creates an input.
    public init(stage: Stage, bytes: [UInt8], messageLine: Int? = nil) {
        self.stage = stage
        self.bytes = bytes
        self.messageLine = messageLine
    }
}
