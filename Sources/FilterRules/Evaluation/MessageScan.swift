/// The state of scanning one message.
struct MessageScan {
    var scanLimit: Int
    var scannedBytes = 0
    /// Lines received so far, the current one included.
    var lineCount = 0
    /// Bytes received so far, each line counted with one byte for its line ending: what a
    /// byte limit counts at the end of the message.
    var rawBytes = 0
    /// The message's MIME decoding, for the header, body, attachment and mimetype rules
    /// (started at its first line when there are such rules).
    var content: MessageContent?
    /// The stages an `accept stage` rule finished for this message.
    var done = StageSet()
    var verdict: Decision? {
        didSet { isDecided = verdict != nil }
    }
    /// Whether ``verdict`` is set (read for every line, without copying the decision).
    private(set) var isDecided = false
    /// The first refusal report-only mode held back in this message.
    var withheld: WithheldRefusal?
    /// The junk, add-header and warn matches of this message, each rule once.
    var marks: [RuleMark] = []
    /// The indexes of the rules in ``marks``.
    var markedRules: Set<Int> = []
    /// What the message's own rules add to it.
    var edits = MessageEdits()
    /// Time spent matching this message's inputs so far, in nanoseconds.
    var matchNanoseconds: UInt64 = 0
    /// Whether the message time limit is used up: the rest of the message is not scanned.
    var outOfTime = false
    /// The domains the message named for its `listed` terms, their lookups and results.
    var listings = MessageListings()

    init(scanLimit: Int) {
        self.scanLimit = scanLimit
    }
}
