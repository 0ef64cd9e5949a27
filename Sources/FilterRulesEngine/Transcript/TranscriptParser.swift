import FilterRules
/// A problem in a transcript file, with its line.
public struct TranscriptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The transcript's name (its path).
    public var name: String
    /// The 1-based line.
    public var line: Int
    /// What is wrong and what was expected.
    public var message: String

    /// `NAME:LINE: message`.
    public var description: String { "\(name):\(line): \(message)" }
}

/// Reads transcripts in two formats:
///
/// - **plain**: the lines a client sends (HELO/EHLO, MAIL FROM:<...>, RCPT TO:<...>, DATA,
///   the message, `.`, RSET, QUIT), with directives `#! connect ADDR [HOSTNAME]`,
///   `#! time +DURATION` (the run's clock moves on) and
///   `#! expect STEP accept|reject|tempfail|disconnect [CODE]`; other `#` lines outside a
///   message are comments. An expectation applies to the next occurrence of its step.
/// - **swaks**: the output of `swaks`; client lines start with ` -> ` (or ` ~> ` under TLS),
///   server replies (`<-  `, `<** `, and `<~  `, `<~* ` under TLS) are recorded with the step
///   they answer (the greeting with the connection), other lines (`=== `, ...) are ignored;
///   `#!` directives may be added.
///
/// A file is read as swaks output when one of its lines starts with ` -> `, ` ~> ` or `=== `.
public enum TranscriptParser {
    /// Parses a transcript from its bytes.
    public static func parse(_ bytes: [UInt8], name: String) throws(TranscriptError) -> Transcript {
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map { line -> [UInt8] in
            line.last == 0x0d ? Array(line.dropLast()) : Array(line)
        }
        if lines.last == [] { lines.removeLast() }
        let swaks = lines.contains { $0.starts(with: Array(" -> ".utf8)) || $0.starts(with: Array(" ~> ".utf8)) || $0.starts(with: Array("=== ".utf8)) }
        var state = State(name: name)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            var line = raw
            if swaks {
                if raw.starts(with: Array(" -> ".utf8)) || raw.starts(with: Array(" ~> ".utf8)) {
                    line = Array(raw.dropFirst(4))
                } else if raw == Array(" ->".utf8) || raw == Array(" ~>".utf8) {
                    line = []  // an empty line, its prefix's blank trimmed
                } else if raw.starts(with: Array("#!".utf8)) && !state.inMessage {
                    line = raw
                } else {
                    if let reply = Self.serverReply(raw, number: number) { state.record(reply) }
                    continue
                }
            }
            try state.consume(line, number: number)
        }
        return try state.finish(lineCount: lines.count)
    }

    /// The reply in a swaks server line (`<-  250 2.0.0 Ok`, `<** 550 ...`, `<~  `, `<~* `).
    static func serverReply(_ raw: [UInt8], number: Int) -> Transcript.RecordedReply? {
        let prefixes = ["<-  ", "<** ", "<~  ", "<~* "].map { Array($0.utf8) }
        guard prefixes.contains(where: { raw.starts(with: $0) }) else { return nil }
        let reply = raw.dropFirst(4)
        let digits = reply.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
            let code = Int(String(decoding: digits, as: UTF8.self))
        else { return nil }
        let text = String(decoding: reply.dropFirst(4), as: UTF8.self).trimmingWhitespace()
        return Transcript.RecordedReply(code: code, text: text, line: number)
    }

    /// Parses a transcript from text.
    public static func parse(_ text: String, name: String) throws(TranscriptError) -> Transcript {
        try parse(Array(text.utf8), name: name)
    }

    private struct State {
        let name: String
        var transcript: Transcript
        var pending: [Transcript.StepName: Transcript.Expectation] = [:]
        var message: [[UInt8]]?
        var messageStart = 0

        init(name: String) {
            self.name = name
            transcript = Transcript(name: name, steps: [])
        }

        var inMessage: Bool { message != nil }

        func error(_ line: Int, _ message: String) -> TranscriptError {
            TranscriptError(name: name, line: line, message: message)
        }

        mutating func consume(_ line: [UInt8], number: Int) throws(TranscriptError) {
            if message != nil {
                if line == [0x2e] {
                    add(.message(message ?? []), line: messageStart)
                    message = nil
                } else {
                    message?.append(line.first == 0x2e ? Array(line.dropFirst()) : line)
                }
                return
            }
            let text = String(decoding: line, as: UTF8.self).trimmingWhitespace()
            if text.isEmpty { return }
            if text.hasPrefix("#!") {
                try directive(String(text.dropFirst(2)), number: number)
                return
            }
            if text.hasPrefix("#") { return }
            try command(text, number: number)
        }

        mutating func directive(_ text: String, number: Int) throws(TranscriptError) {
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            switch words.first {
            case "connect":
                guard words.count == 2 || words.count == 3 else {
                    throw error(number, "expected '#! connect ADDRESS [HOSTNAME]'")
                }
                transcript.address = words[1]
                transcript.hostname = words.count == 3 ? words[2] : words[1]
            case "expect":
                guard words.count == 3 || words.count == 4 else {
                    throw error(number, "expected '#! expect STEP accept|reject|tempfail|disconnect [CODE]'")
                }
                guard let step = Transcript.StepName(rawValue: words[1].lowercased()) else {
                    throw error(number, "unknown step '\(words[1])', expected one of \(Transcript.StepName.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard let outcome = Transcript.ExpectedOutcome(rawValue: words[2].lowercased()) else {
                    throw error(number, "unknown outcome '\(words[2])', expected one of accept, reject, tempfail, disconnect")
                }
                var code: Int?
                if words.count == 4 {
                    guard let value = Int(words[3]), (200...599).contains(value) else {
                        throw error(number, "bad code '\(words[3])', expected a number from 200 to 599")
                    }
                    code = value
                }
                let expectation = Transcript.Expectation(outcome: outcome, code: code, line: number)
                if step == .connect {
                    transcript.connectExpectation = expectation
                } else {
                    pending[step] = expectation
                }
            case "time":
                guard words.count == 2, words[1].hasPrefix("+"), let amount = DurationText.milliseconds(String(words[1].dropFirst())) else {
                    throw error(number, "expected '#! time +DURATION' with a unit s, m, h or d, e.g. #! time +6m")
                }
                if transcript.steps.isEmpty {
                    transcript.startsAfter += amount
                } else {
                    transcript.steps.append(Transcript.Step(kind: .wait(amount), line: number))
                }
            default:
                throw error(number, "unknown directive '\(words.first ?? "")', expected 'connect', 'expect' or 'time'")
            }
        }

        mutating func command(_ text: String, number: Int) throws(TranscriptError) {
            let verb = text.prefix { $0 != " " && $0 != ":" }.uppercased()
            let rest = String(text.dropFirst(verb.count)).trimmingWhitespace()
            switch verb {
            case "HELO", "EHLO":
                add(.helo(rest), line: number)
            case "MAIL":
                add(.mail(try address(in: rest, keyword: "FROM", number: number)), line: number)
            case "RCPT":
                add(.rcpt(try address(in: rest, keyword: "TO", number: number)), line: number)
            case "DATA":
                add(.data, line: number)
                message = []
                messageStart = number + 1
            case "RSET":
                add(.reset, line: number)
            case "QUIT":
                add(.quit, line: number)
            default:
                add(.other(text), line: number)
            }
        }

        /// The address between angle brackets after `KEYWORD:`.
        func address(in text: String, keyword: String, number: Int) throws(TranscriptError) -> String {
            guard text.uppercased().hasPrefix(keyword + ":") else {
                throw error(number, "expected '\(keyword):<address>'")
            }
            let value = text.dropFirst(keyword.count + 1).trimmingWhitespace()
            guard value.hasPrefix("<"), let close = value.firstIndex(of: ">") else {
                throw error(number, "expected an address in angle brackets after '\(keyword):'")
            }
            return String(value[value.index(after: value.startIndex)..<close])
        }

        /// A server reply answers the last step, or the connection before any step; of a
        /// multi-line reply the last line stays. A refused DATA (no 354) sends no message.
        mutating func record(_ reply: Transcript.RecordedReply) {
            if let message {
                guard message.isEmpty else { return }
                if reply.code >= 400 { self.message = nil }
            }
            if transcript.steps.isEmpty {
                transcript.connectRecordedReply = reply
            } else {
                transcript.steps[transcript.steps.count - 1].recordedReply = reply
            }
        }

        mutating func add(_ kind: Transcript.Kind, line: Int) {
            var expectation: Transcript.Expectation?
            if let step = kind.stepName { expectation = pending.removeValue(forKey: step) }
            transcript.steps.append(Transcript.Step(kind: kind, line: line, expectation: expectation))
        }

        func finish(lineCount: Int) throws(TranscriptError) -> Transcript {
            if message != nil {
                throw error(messageStart, "message not ended by a line with a single '.'")
            }
            if let (step, expectation) = pending.min(by: { $0.value.line < $1.value.line }) {
                let hint = step == .message ? " (put '#! expect message' above the DATA line)" : ""
                throw error(expectation.line, "expectation for '\(step.rawValue)' is not followed by a \(step.rawValue) step\(hint)")
            }
            return transcript
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
