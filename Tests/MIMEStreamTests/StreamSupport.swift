@testable import MIMEStream

/// What a stream gave for a message, by kind, as strings (UTF-8), with the line of each.
struct Collected {
    var headers: [String] = []
    var text: [String] = []
    var names: [String] = []
    var types: [String] = []
    var links: [String] = []
    var problems: [String] = []
    var exceeded: [MIMELimitExceeded] = []
    var lines: [(MIMEEvent, Int)] = []
}

/// Runs `message` (lines split at LF; a CR before it is left for the stream) through a stream.
func collect(_ message: String, limits: MIMELimits = .default, emitsHeaders: Bool = true, emitsLinks: Bool = false) -> Collected {
    collect(bytes: Array(message.utf8), limits: limits, emitsHeaders: emitsHeaders, emitsLinks: emitsLinks)
}

/// Runs raw `bytes` through a stream, line by line.
func collect(bytes: [UInt8], limits: MIMELimits = .default, emitsHeaders: Bool = true, emitsLinks: Bool = false) -> Collected {
    var stream = MIMEStream(limits: limits, emitsHeaders: emitsHeaders, emitsLinks: emitsLinks)
    var collected = Collected()
    func note(_ event: MIMEEvent, _ line: Int) {
        collected.lines.append((event, line))
        switch event {
        case .header(let bytes): collected.headers.append(String(decoding: bytes, as: UTF8.self))
        case .text(let bytes): collected.text.append(String(decoding: bytes, as: UTF8.self))
        case .attachmentName(let bytes): collected.names.append(String(decoding: bytes, as: UTF8.self))
        case .mimeType(let bytes): collected.types.append(String(decoding: bytes, as: UTF8.self))
        case .link(let bytes): collected.links.append(String(decoding: bytes, as: UTF8.self))
        case .problem(let text): collected.problems.append(text)
        case .limitExceeded(let what): collected.exceeded.append(what)
        }
    }
    var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    var number = 0
    for line in lines {
        number += 1
        stream.feed(Array(line), number: number, emit: note)
    }
    stream.finish(number: number, emit: note)
    return collected
}
