/// Decodes a message as it streams, one raw line at a time, into what a reader sees of it
/// (``MIMEEvent``): headers with RFC 2047 decoded, the text of `text/*` parts decoded to
/// UTF-8, the parts' file names and media types. Multiparts (RFC 2046) and attached messages
/// (`message/rfc822`, `message/global`) are followed, as deep as ``MIMELimits`` allows.
///
/// One pass, nothing held back beyond the header under way, the line of text under way and
/// the open boundaries, each bounded by the limits. Malformed MIME never stops it: what cannot
/// be decoded is reported as a ``MIMEEvent/problem(_:)`` and taken as plain text.
///
/// Preambles and epilogues of multiparts (text a mail client does not show) and the bodies
/// of parts that are not text (images, applications) give no text.
public struct MIMEStream {
    /// The bounds.
    public let limits: MIMELimits
    /// Whether headers are passed on (``MIMEEvent/header(_:)``): without, only the headers
    /// MIME needs are looked at, and only those are kept while they are read.
    public let emitsHeaders: Bool
    /// Whether the link targets of HTML parts are passed on (``MIMEEvent/link(_:)``).
    public let emitsLinks: Bool

    /// What the lines are now.
    private enum Phase {
        /// Headers of an entity.
        case headers
        /// The body of a text part.
        case text
        /// Lines that give no text: a preamble, an epilogue, a part that is not text.
        case skipping
        /// Beyond ``MIMELimits/maximumParts``: every line is text as it is.
        case raw
    }

    /// An open multipart.
    private struct Boundary {
        /// `--` and the boundary.
        var marker: [UInt8]
        /// The multipart entity's depth.
        var depth: Int
        /// `multipart/digest`: its parts are messages unless they say otherwise.
        var digest: Bool
    }

    /// The entity whose headers are being read.
    private struct Entity {
        var depth: Int
        /// A body part of a multipart: its header block is taken to end at a line that is no
        /// header (a part without the blank line). The message and attached messages read
        /// headers up to the blank line, as smtpd does.
        var isBodyPart: Bool
        var defaultType: String
        var contentType: [UInt8]?
        var contentTypeLine = 0
        var transferEncoding: [UInt8]?
        var disposition: [UInt8]?
        var dispositionLine = 0
    }

    private var phase = Phase.headers
    private var entity = Entity(depth: 0, isBodyPart: false, defaultType: "text/plain")
    private var boundaries: [Boundary] = []
    private var textPart: TextPartDecoder?
    /// The header being unfolded and the line it started on.
    private var pending: [UInt8]?
    private var pendingLine = 0
    /// Whether the pending header is one MIME needs (kept even when headers are not passed on).
    private var pendingIsMIME = false
    /// Whether a header is under way (kept in `pending` or not): continuation lines are its.
    private var headerUnderWay = false
    /// Whether the pending header was cut at the header limit.
    private var pendingCut = false
    private var partCount = 0
    /// The last line of the text part under way: what its end flushes is reported there.
    private var lastTextLine = 0

    /// A stream for one message.
    public init(limits: MIMELimits = .default, emitsHeaders: Bool = true, emitsLinks: Bool = false) {
        self.limits = limits
        self.emitsHeaders = emitsHeaders
        self.emitsLinks = emitsLinks
    }

    /// How many bytes the header under way holds, and has room for.
    public var pendingHeaderStorage: (count: Int, capacity: Int)? { pending.map { ($0.count, $0.capacity) } }

    /// One raw line of the message, without its line ending (LF or CRLF); `number` is its
    /// line number, given to `emit` with what the line completes.
    public mutating func feed(_ line: [UInt8], number: Int, emit: (MIMEEvent, Int) -> Void) {
        var line = line
        if line.last == 0x0d { line.removeLast() }
        if case .raw = phase {
            emit(.text(line), number)
            return
        }
        if !boundaries.isEmpty, line.count >= 2, line[0] == UInt8(ascii: "-"), line[1] == UInt8(ascii: "-"),
            let (index, closing) = boundary(in: line)
        {
            atBoundary(index: index, closing: closing, number: number, emit: emit)
            return
        }
        switch phase {
        case .headers: headerLine(line, number: number, emit: emit)
        case .text:
            lastTextLine = number
            textPart?.line(line) { emit($0, number) }
        case .skipping, .raw: break
        }
    }

    /// The end of the message: what is under way is finished.
    public mutating func finish(number: Int, emit: (MIMEEvent, Int) -> Void) {
        if case .headers = phase {
            flushHeader(emit: emit)
            endHeaders(number: number, emit: emit)
        }
        finishText(number: number, emit: emit)
        if !boundaries.isEmpty {
            emit(.problem("the message ends inside a multipart (its closing boundary is missing)"), number)
        }
        boundaries.removeAll()
        phase = .skipping
    }

    // MARK: Boundaries

    /// The innermost open multipart whose boundary `line` is, and whether it closes it.
    private func boundary(in line: [UInt8]) -> (Int, Bool)? {
        for index in boundaries.indices.reversed() {
            let marker = boundaries[index].marker
            guard line.count >= marker.count, line.starts(with: marker) else { continue }
            let rest = line[marker.count...]
            if rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return (index, true) }
            if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return (index, false) }
        }
        return nil
    }

    private mutating func atBoundary(index: Int, closing: Bool, number: Int, emit: (MIMEEvent, Int) -> Void) {
        if case .headers = phase {
            flushHeader(emit: emit)
            endHeaders(number: number, emit: emit)
        }
        finishText(number: number, emit: emit)
        if index < boundaries.count - 1 {
            emit(.problem("a multipart ends without its closing boundary"), number)
            boundaries.removeSubrange((index + 1)...)
        }
        let multipart = boundaries[index]
        if closing {
            boundaries.removeLast()
            phase = .skipping
            return
        }
        partCount += 1
        if partCount > limits.maximumParts {
            emit(.problem("more than \(limits.maximumParts) parts: the rest of the message is scanned as it is"), number)
            emit(.limitExceeded(.parts(limit: limits.maximumParts)), number)
            phase = .raw
            boundaries.removeAll()
            return
        }
        entity = Entity(
            depth: multipart.depth + 1, isBodyPart: true,
            defaultType: multipart.digest ? "message/rfc822" : "text/plain")
        phase = .headers
    }

    // MARK: Headers

    private mutating func headerLine(_ line: [UInt8], number: Int, emit: (MIMEEvent, Int) -> Void) {
        if line.isEmpty {
            flushHeader(emit: emit)
            endHeaders(number: number, emit: emit)
            return
        }
        if line[0] == 0x20 || line[0] == 0x09, headerUnderWay {
            guard let kept = pending?.count else { return }
            let limit = limits.headerBytes
            let room = limit == 0 ? line.count : min(line.count, limit - kept)
            if room > 0 { pending?.append(contentsOf: line[..<room]) }
            if room < line.count { pendingCut = true }
            return
        }
        flushHeader(emit: emit)
        if entity.isBodyPart, !Self.looksLikeHeader(line) {
            emit(.problem("a part's headers end without a blank line"), number)
            endHeaders(number: number, emit: emit)
            if case .text = phase {
                lastTextLine = number
                textPart?.line(line) { emit($0, number) }
            }
            return
        }
        headerUnderWay = true
        pendingIsMIME = Self.isMIMEHeader(line)
        guard emitsHeaders || pendingIsMIME else { return }
        let limit = limits.headerBytes
        pending = limit == 0 || line.count <= limit ? line : Array(line[..<limit])
        pendingCut = limit != 0 && line.count > limit
        pendingLine = number
    }

    /// The header under way is complete: noted if MIME needs it, passed on decoded.
    private mutating func flushHeader(emit: (MIMEEvent, Int) -> Void) {
        headerUnderWay = false
        guard let header = pending else { return }
        pending = nil
        let wasCut = pendingCut
        pendingCut = false
        flushHeader(header, emit: emit)
        if wasCut {
            // After the header itself: the rules see what was kept first.
            let name = header.firstIndex(of: UInt8(ascii: ":")).map { Self.headerName(header[..<$0]) } ?? ""
            emit(.limitExceeded(.headerBytes(name: name, limit: limits.headerBytes)), pendingLine)
        }
    }

    /// `header`, complete: noted if MIME needs it, passed on decoded.
    private mutating func flushHeader(_ header: [UInt8], emit: (MIMEEvent, Int) -> Void) {
        guard let colon = header.firstIndex(of: UInt8(ascii: ":")) else {
            if emitsHeaders { emit(.header(header), pendingLine) }
            return
        }
        var valueStart = colon + 1
        while valueStart < header.count, header[valueStart] == 0x20 || header[valueStart] == 0x09 { valueStart += 1 }
        if pendingIsMIME {
            let value = Array(header[valueStart...])
            switch Self.lowercasedName(header[..<colon]) {
            case "content-type" where entity.contentType == nil:
                entity.contentType = value
                entity.contentTypeLine = pendingLine
            case "content-transfer-encoding" where entity.transferEncoding == nil:
                entity.transferEncoding = value
            case "content-disposition" where entity.disposition == nil:
                entity.disposition = value
                entity.dispositionLine = pendingLine
            default: break
            }
        }
        guard emitsHeaders else { return }
        guard let decoded = EncodedWords.decode(header[valueStart...]) else {
            emit(.header(header), pendingLine)
            return
        }
        if !decoded.clean {
            emit(.problem("an RFC 2047 encoded-word that could not be decoded, kept as it is"), pendingLine)
        }
        emit(.header(Array(header[..<valueStart]) + decoded.text), pendingLine)
    }

    /// The blank line after an entity's headers: its type, names, and what its body is.
    private mutating func endHeaders(number: Int, emit: (MIMEEvent, Int) -> Void) {
        let contentType = entity.contentType.map(HeaderParameters.init)
        var type = contentType?.value ?? entity.defaultType
        let typeLine = entity.contentType == nil ? number : entity.contentTypeLine
        if !Self.isMediaType(type) {
            emit(.problem("a Content-Type that is no type/subtype, taken as text/plain"), typeLine)
            type = "text/plain"
        }
        emit(.mimeType(Array(type.utf8)), typeLine)
        emitNames(contentType, number: number, emit: emit)
        let transfer = TransferEncoding(entity.transferEncoding)
        phase = .skipping
        if type.hasPrefix("multipart/") {
            guard let boundary = contentType?["boundary"], !boundary.isEmpty, boundary.count <= limits.boundaryBytes else {
                emit(.problem("a multipart without a usable boundary, scanned as plain text"), typeLine)
                if let boundary = contentType?["boundary"], boundary.count > limits.boundaryBytes {
                    emit(.limitExceeded(.boundaryBytes(limit: limits.boundaryBytes)), typeLine)
                }
                startText(.identity, charset: nil, isHTML: false, number: number, emit: emit)
                return
            }
            guard entity.depth < limits.maximumDepth else {
                emit(.problem("multiparts nested deeper than \(limits.maximumDepth), scanned as plain text"), typeLine)
                emit(.limitExceeded(.depth(limit: limits.maximumDepth)), typeLine)
                startText(.identity, charset: nil, isHTML: false, number: number, emit: emit)
                return
            }
            boundaries.append(
                Boundary(
                    marker: [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary, depth: entity.depth,
                    digest: type == "multipart/digest"))
        } else if type == "message/rfc822" || type == "message/global" {
            guard entity.depth < limits.maximumDepth, transfer == .identity else {
                emit(
                    .problem(
                        transfer == .identity
                            ? "messages nested deeper than \(limits.maximumDepth), scanned as plain text"
                            : "an attached message with a transfer encoding, scanned as text"), typeLine)
                if entity.depth >= limits.maximumDepth { emit(.limitExceeded(.depth(limit: limits.maximumDepth)), typeLine) }
                startText(transfer, charset: nil, isHTML: false, number: number, emit: emit)
                return
            }
            entity = Entity(depth: entity.depth + 1, isBodyPart: false, defaultType: "text/plain")
            phase = .headers
        } else if type.hasPrefix("text/") {
            let charset = contentType?["charset"].map { String(decoding: $0, as: UTF8.self) }
            startText(transfer, charset: charset, isHTML: type == "text/html", number: number, emit: emit)
        }
    }

    /// The file names the part's headers give, each once.
    private func emitNames(_ contentType: HeaderParameters?, number: Int, emit: (MIMEEvent, Int) -> Void) {
        var names: [([UInt8], Int, Bool)] = []
        if let disposition = entity.disposition.map(HeaderParameters.init), let name = disposition["filename"] {
            names.append((name, entity.dispositionLine, disposition.clean))
        }
        if let contentType, let name = contentType["name"] {
            names.append((name, entity.contentTypeLine, contentType.clean))
        }
        var seen: [[UInt8]] = []
        for (raw, line, clean) in names {
            var name = raw
            var nameClean = clean
            if let decoded = EncodedWords.decode(raw[...]) {
                name = decoded.text
                nameClean = nameClean && decoded.clean
            }
            var repaired: [UInt8] = []
            var repair = UTF8Repair()
            if !repair.append(name, final: true, into: &repaired) { nameClean = false }
            if !nameClean { emit(.problem("a file name that could not be decoded cleanly"), line) }
            guard !repaired.isEmpty, !seen.contains(repaired) else { continue }
            seen.append(repaired)
            emit(.attachmentName(repaired), line)
        }
    }

    // MARK: Text

    private mutating func startText(
        _ transfer: TransferEncoding, charset: String?, isHTML: Bool, number: Int,
        emit: (MIMEEvent, Int) -> Void
    ) {
        textPart = TextPartDecoder(
            transfer: transfer, charset: charset, isHTML: isHTML, collectsLinks: emitsLinks, lineBytes: limits.lineBytes
        ) {
            emit($0, number)
        }
        phase = .text
    }

    private mutating func finishText(number: Int, emit: (MIMEEvent, Int) -> Void) {
        let line = lastTextLine > 0 ? lastTextLine : number
        textPart?.finish { emit($0, line) }
        textPart = nil
        lastTextLine = 0
    }

    // MARK: Helpers

    /// `Name:` at the start, the name of printable ASCII without blanks.
    private static func looksLikeHeader(_ line: [UInt8]) -> Bool {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return false }
        return line[..<colon].allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }

    /// Whether the line starts a header MIME needs (`Content-...`).
    private static func isMIMEHeader(_ line: [UInt8]) -> Bool {
        guard line.count >= 8 else { return false }
        return lowercasedName(line[0..<8]) == "content-"
    }

    /// A header's name as written (blanks before the colon removed), for reports.
    private static func headerName(_ name: ArraySlice<UInt8>) -> String {
        var end = name.endIndex
        while end > name.startIndex, name[end - 1] == 0x20 || name[end - 1] == 0x09 { end -= 1 }
        // Printable ASCII only: the name is the sender's and goes to logs.
        return String(decoding: name[..<end].prefix(64).map { $0 > 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    private static func lowercasedName(_ name: ArraySlice<UInt8>) -> String {
        var end = name.endIndex
        while end > name.startIndex, name[end - 1] == 0x20 || name[end - 1] == 0x09 { end -= 1 }
        return String(decoding: name[..<end].map { $0 >= 0x41 && $0 <= 0x5a ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    private static func isMediaType(_ type: String) -> Bool {
        let parts = type.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }
}
