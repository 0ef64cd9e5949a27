import MIMEStream

/// One message's MIME decoding and how many decoded bytes the rules have seen of it.
final class MessageContent {
    /// The decoder.
    var stream: MIMEStream
    /// Decoded bytes scanned so far (each input and a newline), against `set scan-limit`.
    var decodedBytes = 0
    /// Whether the rest of the message needs no decoding (scan limit reached, verdict given).
    var finished = false

    init(stream: MIMEStream) {
        self.stream = stream
    }
}
