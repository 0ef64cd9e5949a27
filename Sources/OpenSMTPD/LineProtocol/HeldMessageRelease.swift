import Logging

/// The handle that ends the hold on one message of the line protocol, from any thread: see
/// ``LineFilter/onMessageEnd``.
///
/// Exactly once: the first ``release(prepending:)`` counts (smtpd takes one output stream
/// per message), later ones are ignored; copies share that. The loop writes the message as
/// soon as it wakes, or writes nothing if the session has ended meanwhile.
public struct HeldMessageRelease: Sendable {
    /// The session the message belongs to.
    public let session: UInt64
    let serial: UInt64
    /// Where the release goes; nil when the message is not held any more.
    let outbox: LineDeferredAnswers?
    /// Why lines cannot be added, when the message is not held.
    let notHeldReason: String
    let logger: Logger
    let once = AnswerOnce()

    /// Whether the message is still held, so that lines given to ``release(prepending:)``
    /// are added; false when it was passed on already (it grew over
    /// ``MessageHoldLimits/maximum``, took the held messages over
    /// ``MessageHoldLimits/total``, or its hold could not spill), in which case they are
    /// not (logged).
    public var isHeld: Bool { outbox != nil }

    /// Releases the message: `lines` are written at its very top as `filter-dataline`
    /// lines (a `\n` inside a line is left out, and a line starting with `.` is
    /// dot-stuffed), then the message as it was held, then its final `.`. Callable from any
    /// thread; only the first call counts.
    public func release(prepending lines: [DataLine] = []) {
        guard once.claim() else { return }
        guard let outbox else {
            if !lines.isEmpty {
                logger.warning("session \(SessionIdentifier.hex(session)): \(lines.count) header line(s) could not be added to the message: \(notHeldReason)")
            }
            return
        }
        outbox.post(session: session, .release(serial: serial, prepending: lines))
    }
}

/// A message of the line protocol under way in a filter that may hold messages: the
/// `filter-dataline` prefix its lines go back with, and its hold while it is held.
final class LineMessageHold {
    /// Tells a release of this message from one of another message of the same session.
    let serial: UInt64
    /// `filter-dataline|SESSION|TOKEN|` for the message's version.
    let prefix: [UInt8]
    /// The kept output lines (each with its `\n`, without the prefix); nil when the message
    /// is not held, or not any more.
    var hold: HeldMessage?
    /// Why the message stopped being held before its end.
    var givenUp: String?
    /// Set at the final `.`: the message waits for its release.
    var awaitingRelease = false

    init(serial: UInt64, prefix: [UInt8], hold: HeldMessage?) {
        self.serial = serial
        self.prefix = prefix
        self.hold = hold
    }
}
