@testable import MIMEStream

/// What a stream gave for a message, by kind, as strings (UTF-8), with the line of each.
struct Collected {
    var headers: [String] = []
    var text: [String] = []
    var names: [String] = []
    var types: [String] = []
    var problems: [String] = []
    var exceeded: [MIMELimitExceeded] = []
    var lines: [(MIMEEvent, Int)] = []
}

/// Runs `message` (lines split at LF; a CR before it is left for the stream) through a stream.
func collect(_ message: String, limits: MIMELimits = .default, emitsHeaders: Bool = true) -> Collected {
    collect(bytes: Array(message.utf8), limits: limits, emitsHeaders: emitsHeaders)
}

/// Runs raw `bytes` through a stream, line by line.
func collect(bytes: [UInt8], limits: MIMELimits = .default, emitsHeaders: Bool = true) -> Collected {
    var stream = MIMEStream(limits: limits, emitsHeaders: emitsHeaders)
    var collected = Collected()
    func note(_ event: MIMEEvent, _ line: Int) {
        collected.lines.append((event, line))
        switch event {
        case .header(let bytes): collected.headers.append(String(decoding: bytes, as: UTF8.self))
        case .text(let bytes): collected.text.append(String(decoding: bytes, as: UTF8.self))
        case .attachmentName(let bytes): collected.names.append(String(decoding: bytes, as: UTF8.self))
        case .mimeType(let bytes): collected.types.append(String(decoding: bytes, as: UTF8.self))
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

/// The base64 of `text`'s UTF-8, in lines of `width`.
func base64Lines(_ bytes: [UInt8], width: Int = 76) -> [String] {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0..<4 {
            out.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
        }
        index += 3
    }
    var lines: [String] = []
    var start = 0
    while start < out.count {
        lines.append(String(decoding: out[start..<min(start + width, out.count)], as: UTF8.self))
        start += width
    }
    return lines
}
