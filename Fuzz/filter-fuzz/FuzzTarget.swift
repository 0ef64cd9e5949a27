import FilterRules
import FilterRulesEngine
import Logging
import MIMEStream
import OpenSMTPD

/// The parsers fed with fuzzed bytes, one per libFuzzer target: each takes any input without
/// crashing, hanging or leaking (errors are the expected outcome for most inputs).
enum FuzzTarget: String, CaseIterable {
    /// The imsg stream decoder, the bytes cut into reads at the places the input's first byte
    /// picks, each frame then decoded as a filter API 52 message.
    case imsg
    /// Filter API 52 payloads: four bytes of imsg type, then the payload of one frame.
    case v52
    /// The line protocol: each line through `LineMessage.parse` and a `LineFilter` with every
    /// callback set (`handle(line:)`); a `data-line` request read in place
    /// (`DataLineRequest`, and `DataLineReader` over the lines in turn, as `serve()` reads
    /// them) must agree with the full parse.
    case line
    /// Rules files: `RuleSetLoader.compile(text:file:)`.
    case rules
    /// Dry-run transcripts: `TranscriptParser.parse`.
    case transcript
    /// Messages through the MIME decoder (`MIMEStream`), line by line, with small limits so
    /// the depth and part bounds are reached too.
    case mime

    /// Runs the target on one input.
    func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .imsg: Self.imsg(data)
        case .v52: Self.v52(data)
        case .line: Self.line(data)
        case .rules: _ = try? RuleSetLoader.compile(text: String(decoding: data, as: UTF8.self), file: "fuzz.rules")
        case .transcript: _ = try? TranscriptParser.parse(Array(data), name: "fuzz.txt")
        case .mime: Self.mime(data)
        }
    }

    private static func imsg(_ data: UnsafeRawBufferPointer) {
        guard let first = data.first else { return }
        let step = Int(first) + 1
        var decoder = IMSGFrameDecoder()
        var fakeDescriptor: Int32 = 1000
        var offset = 1
        while offset < data.count {
            let end = min(data.count, offset + step)
            decoder.append(data[offset..<end])
            // A descriptor now and then, as recvmsg delivers them with the bytes.
            if data[offset] & 0x80 != 0 {
                decoder.appendDescriptor(fakeDescriptor)
                fakeDescriptor += 1
            }
            offset = end
            do {
                while let frame = try decoder.nextFrame() { _ = try? DaemonFilterMessage(frame: frame) }
            } catch {
                return
            }
        }
    }

    private static func v52(_ data: UnsafeRawBufferPointer) {
        guard data.count >= 4 else { return }
        let type = data.prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let frame = IMSGFrame(type: type % 8, payload: Array(data.dropFirst(4)), descriptor: type & 0x100 != 0 ? 1000 : nil)
        if let message = try? DaemonFilterMessage(frame: frame) {
            _ = message.frame()
        }
    }

    private static func mime(_ data: UnsafeRawBufferPointer) {
        var stream = MIMEStream(
            limits: MIMELimits(maximumDepth: 4, maximumParts: 16, headerBytes: 512, lineBytes: 256), emitsLinks: true)
        var number = 0
        var produced = 0
        var linked = 0
        for line in data.split(separator: 10, omittingEmptySubsequences: false) {
            number += 1
            stream.feed(Array(line), number: number) { event, _ in
                if case .text(let bytes) = event { produced += bytes.count }
                if case .link(let bytes) = event { linked += bytes.count }
            }
        }
        stream.finish(number: number) { _, _ in }
        // Decoded text never outgrows what came in by more than charset conversion allows;
        // link targets are parts of the decoded HTML, so the same bound holds for them.
        precondition(produced <= 4 * data.count + 16, "decoded text out of bounds")
        precondition(linked <= 4 * data.count + 16, "link targets out of bounds")
    }

    private static let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

    private static func line(_ data: UnsafeRawBufferPointer) {
        let filter = LineFilter(logger: quiet)
        filter.maximumSessions = 64
        filter.onConnect = { _ in .proceed }
        filter.onHELO = { _, name in name.isEmpty ? .reject(code: 550, text: "no") : .proceed }
        filter.onEHLO = { _, _ in .junk }
        filter.onMailFrom = { _, address in .rewrite(address.user) }
        filter.onRcptTo = { _, _ in .disconnect(code: 421, text: "bye") }
        filter.onData = { _ in .proceed }
        filter.onDataLine = { _, line in line.bytes.count % 3 == 0 ? .dropped : .replaced([line, line]) }
        filter.onCommit = { _ in .proceed }
        var reader = DataLineReader()
        for line in data.split(separator: 10, omittingEmptySubsequences: false) {
            let bytes = Array(line)
            let parsed = try? LineMessage.parse(bytes)
            checkInPlaceReading(bytes, parsed, reader: &reader)
            _ = try? filter.handle(line: bytes)
        }
    }

    /// The in-place reading of `bytes` finds a data-line request exactly when the full
    /// parse does, with the same version, session, token and message line; so does `reader`,
    /// which remembers the lines before.
    private static func checkInPlaceReading(_ bytes: [UInt8], _ parsed: LineMessage?, reader: inout DataLineReader) {
        let inPlace = bytes.withUnsafeBufferPointer { line in
            DataLineReader.readInFull(line).map { ($0, Array(line[$0.parameters])) }
        }
        let read = bytes.withUnsafeBufferPointer { reader.read($0) }
        precondition(read == inPlace?.0, "DataLineReader differs from its full reading")
        var full: LineFilterRequest?
        if case .filter(let request)? = parsed, request.phase == "data-line" { full = request }
        switch (inPlace, full) {
        case (nil, nil): break
        case let ((request, parameters)?, full?):
            precondition(
                request.version == full.version && request.session == full.session
                    && request.token == full.token && parameters == full.parameters,
                "data-line read in place differs from the full parse")
        default:
            preconditionFailure("data-line read in place: \(inPlace != nil), by the full parse: \(full != nil)")
        }
    }
}
