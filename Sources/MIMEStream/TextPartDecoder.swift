/// The body of one `text/*` part, line by line, to the lines of text the reader sees:
/// transfer decoding, then the charset to UTF-8, then (for HTML) the tags removed, then
/// cut into lines. Each kind of problem is reported once per part.
struct TextPartDecoder {
    private var transfer: TransferEncoding
    private var base64 = Base64Decoder()
    private var text: TextDecoder
    private var html: HTMLText?
    private var lines: LineAssembler
    /// The charset as declared, for problem reports.
    private let charset: String
    /// Problems already reported in this part.
    private var reported: Set<String> = []
    /// Whether a line over the limit was reported in this part.
    private var reportedCut = false
    /// Buffers reused from line to line.
    private var decoded: [UInt8] = [], converted: [UInt8] = [], stripped: [UInt8] = []

    /// A decoder for a part with these headers; `emit` hears of an unknown encoding or charset.
    init(
        transfer: TransferEncoding, charset: String?, isHTML: Bool, collectsLinks: Bool = false, lineBytes: Int,
        emit: (MIMEEvent) -> Void
    ) {
        self.transfer = transfer
        self.charset = charset ?? ""
        self.text = TextDecoder(charset: charset)
        self.html = isHTML ? HTMLText(collectsLinks: collectsLinks) : nil
        // A line of a part without transfer encoding is one raw line, as long as it came;
        // decoded text has no line breaks of its own to rely on, so it is cut.
        switch transfer {
        case .identity, .unknown: self.lines = LineAssembler(maximum: Int.max)
        default: self.lines = LineAssembler(maximum: lineBytes)
        }
        if case .unknown(let name) = transfer {
            emit(.problem("unknown Content-Transfer-Encoding '\(name)', the text is scanned as it is"))
        }
        if !text.known {
            emit(.problem("unknown charset '\(self.charset)', the text is taken as UTF-8"))
        }
    }

    /// How many bytes the line under way holds, and has room for.
    var lineStorage: (count: Int, capacity: Int) { lines.storage }

    /// One raw line of the part's body (without its line ending).
    mutating func line(_ raw: [UInt8], emit: (MIMEEvent) -> Void) {
        let plainTransfer: Bool
        switch transfer {
        case .identity, .unknown: plainTransfer = true
        default: plainTransfer = false
        }
        if plainTransfer, text.passesThrough, html == nil, lines.storage.count == 0 {
            // The common case: the line is the text.
            if UTF8Repair.isValid(raw) {
                emit(.text(raw))
                return
            }
        }
        decoded.removeAll(keepingCapacity: true)
        switch transfer {
        case .identity, .unknown:
            decoded.append(contentsOf: raw)
            decoded.append(0x0a)
        case .quotedPrintable:
            if QuotedPrintableDecoder.decode(raw, into: &decoded).malformed {
                report("quoted-printable with a '=' not followed by two hex digits, kept as it is", emit)
            }
        case .base64:
            if !base64.decode(raw, into: &decoded) {
                report("a line that is not base64 in a base64 part, scanned as it is", emit)
                var repaired: [UInt8] = []
                var repair = UTF8Repair()
                _ = repair.append(raw, final: true, into: &repaired)
                emit(.text(repaired))
                return
            }
        }
        pass(final: false, emit)
    }

    /// The end of the part.
    mutating func finish(emit: (MIMEEvent) -> Void) {
        decoded.removeAll(keepingCapacity: true)
        if transfer == .base64, !base64.finish(into: &decoded) {
            report("base64 cut inside a quantum", emit)
        }
        pass(final: true, emit)
        lines.finish { emit(.text($0)) }
    }

    /// `decoded` through the charset and the HTML to the lines.
    private mutating func pass(final: Bool, _ emit: (MIMEEvent) -> Void) {
        converted.removeAll(keepingCapacity: true)
        if !text.append(decoded, final: final, into: &converted) {
            report(
                charset.isEmpty
                    ? "bytes that are not UTF-8 in a part without a charset, shown as U+FFFD"
                    : "bytes invalid in charset '\(charset)', shown as U+FFFD", emit)
        }
        if html != nil {
            stripped.removeAll(keepingCapacity: true)
            html!.append(converted, into: &stripped)
            for link in html!.takeLinks() { emit(.link(link)) }
            lines.append(stripped) { emit(.text($0)) }
        } else {
            lines.append(converted) { emit(.text($0)) }
        }
        if lines.takeCut(), !reportedCut {
            reportedCut = true
            emit(.limitExceeded(.lineBytes(limit: lines.maximum)))
        }
    }

    private mutating func report(_ problem: String, _ emit: (MIMEEvent) -> Void) {
        guard !reported.contains(problem) else { return }
        reported.insert(problem)
        emit(.problem(problem))
    }
}
