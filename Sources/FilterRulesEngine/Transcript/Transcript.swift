/// A sample SMTP session for the dry-run: what a client sends, with the expectations the
/// administrator wrote beside it.
public struct Transcript: Equatable, Sendable {
    /// Where the transcript came from (a file path), for reports.
    public var name: String
    /// The client's address (`#! connect ADDR`), 127.0.0.1 when not given.
    public var address: String
    /// The client's reverse-DNS name (`#! connect ADDR HOSTNAME`), the address when not given.
    public var hostname: String
    /// The client's commands and messages, in order.
    public var steps: [Step]
    /// How long after the previous transcript of the run this one starts, in milliseconds
    /// (`#! time +DURATION` before its first command; `--at` for a saved message).
    public var startsAfter: Int64 = 0

    /// Creates a transcript.
    public init(name: String, address: String = "127.0.0.1", hostname: String? = nil, steps: [Step]) {
        self.name = name
        self.address = address
        self.hostname = hostname ?? address
        self.steps = steps
    }

    /// One thing the client does.
    public struct Step: Equatable, Sendable {
        /// What it is.
        public var kind: Kind
        /// The line in the transcript file where it starts (1-based).
        public var line: Int
        /// What the administrator expects the filter to answer, if anything.
        public var expectation: Expectation?
        /// The server's reply to the step as recorded in the transcript (swaks output).
        public var recordedReply: RecordedReply?

        /// Creates a step.
        public init(kind: Kind, line: Int, expectation: Expectation? = nil, recordedReply: RecordedReply? = nil) {
            self.kind = kind
            self.line = line
            self.expectation = expectation
            self.recordedReply = recordedReply
        }
    }

    /// A server reply recorded in a transcript (`<~ 250 ...`, `<** 550 ...` lines of swaks):
    /// the code and text of its last line.
    public struct RecordedReply: Equatable, Sendable, CustomStringConvertible {
        /// The three-digit SMTP code.
        public var code: Int
        /// The text after the code.
        public var text: String
        /// The transcript line of the reply's last line.
        public var line: Int

        /// Creates a reply.
        public init(code: Int, text: String, line: Int) {
            self.code = code
            self.text = text
            self.line = line
        }

        /// `CODE TEXT`.
        public var description: String { text.isEmpty ? "\(code)" : "\(code) \(text)" }
    }

    /// The client commands a transcript can hold.
    public enum Kind: Equatable, Sendable {
        /// HELO or EHLO with its argument.
        case helo(String)
        /// MAIL FROM with the address inside the angle brackets (empty for `<>`).
        case mail(String)
        /// RCPT TO with the address inside the angle brackets.
        case rcpt(String)
        /// The DATA command.
        case data
        /// The message after DATA up to the final dot, lines dot-unstuffed, without newlines.
        case message([[UInt8]])
        /// RSET.
        case reset
        /// QUIT.
        case quit
        /// Any other command (NOOP, VRFY, STARTTLS, ...): it does not reach the filter.
        case other(String)
        /// Time passes (`#! time +DURATION` between commands), in milliseconds.
        case wait(Int64)

        /// The step name used in `#! expect` directives, nil for steps that cannot be expected.
        public var stepName: StepName? {
            switch self {
            case .helo: return .helo
            case .mail: return .mail
            case .rcpt: return .rcpt
            case .data: return .data
            case .message: return .message
            case .reset, .quit, .other, .wait: return nil
            }
        }
    }

    /// The steps an expectation can name.
    public enum StepName: String, Equatable, Sendable, CaseIterable {
        /// The connection (answered at connect).
        case connect
        /// HELO or EHLO.
        case helo
        /// MAIL FROM.
        case mail
        /// RCPT TO.
        case rcpt
        /// The DATA command.
        case data
        /// The verdict on the message at the final dot.
        case message
    }

    /// What an administrator expects the filter to answer at a step.
    public struct Expectation: Equatable, Sendable {
        /// The expected kind of answer.
        public var outcome: ExpectedOutcome
        /// The expected SMTP code, when given.
        public var code: Int?
        /// The line of the `#! expect` directive, or of the recorded reply it stands for.
        public var line: Int
        /// Where it comes from.
        public var source: ExpectationSource

        /// Creates an expectation.
        public init(outcome: ExpectedOutcome, code: Int? = nil, line: Int, source: ExpectationSource = .directive) {
            self.outcome = outcome
            self.code = code
            self.line = line
            self.source = source
        }
    }

    /// Where an expectation comes from.
    public enum ExpectationSource: String, Equatable, Sendable {
        /// A `#! expect` directive.
        case directive
        /// The server's reply recorded in the transcript (`test --expect-recorded`).
        case recordedReply = "recorded reply"
    }

    /// The kinds of answer an expectation can name.
    public enum ExpectedOutcome: String, Equatable, Sendable, CaseIterable {
        /// The stage passes.
        case accept
        /// A permanent refusal (5xx).
        case reject
        /// A temporary refusal (4xx).
        case tempfail
        /// The session is closed.
        case disconnect
    }

    /// The expectation on the connection itself, from a `#! expect connect` directive.
    public var connectExpectation: Expectation?
    /// The server's greeting as recorded in the transcript (swaks output).
    public var connectRecordedReply: RecordedReply?
}
