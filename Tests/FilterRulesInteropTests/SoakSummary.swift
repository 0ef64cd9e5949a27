/// What the soak driver wrote: every session it ran.
struct SoakSummary: Decodable {
    /// One session of one worker.
    struct Session: Decodable, CustomStringConvertible {
        /// The worker (0..<workers) and the session's index in `SoakSessionKind.cycle`.
        let worker: Int
        let kind: Int
        /// The marker its message carries.
        let marker: String
        /// When it began (seconds after the driver started) and how long it took.
        let start: Double
        let seconds: Double
        /// The server's replies.
        let transcript: SMTPTranscript

        /// The kind of session it was.
        var sessionKind: SoakSessionKind { SoakSessionKind.cycle[kind] }

        /// Why its replies are not the ones its kind must get, nil when they are.
        var mismatch: String? {
            let replies = transcript.steps.map { "\($0.stage) \($0.code)" }
            let expected = sessionKind.expectedReplies
            if transcript.error != nil || replies != expected {
                return "expected \(expected.joined(separator: ", "))"
            }
            if let refusal = sessionKind.refusal, transcript.refusal?.text != refusal.text {
                return "expected the text \"\(refusal.text)\""
            }
            return nil
        }

        var description: String { "\(marker) (\(sessionKind.label), at \(start) s): \(transcript)" }
    }

    /// Concurrent clients.
    let workers: Int
    /// Seconds from the driver's start to its last session's end.
    let seconds: Double
    let sessions: [Session]

    /// Sessions per second over the whole run.
    var sessionsPerSecond: Double { Double(sessions.count) / seconds }

    /// The sessions whose message must have been delivered.
    var accepted: [Session] { sessions.filter { $0.sessionKind.refusal == nil } }

    /// How many sessions `refusal`'s rule must have refused.
    func count(refusedWith refusal: SoakRules.Refusal) -> Int {
        sessions.filter { $0.sessionKind.refusal?.text == refusal.text }.count
    }
}
