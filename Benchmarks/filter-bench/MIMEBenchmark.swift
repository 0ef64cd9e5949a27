// The mime mode: message lines per second through SessionEvaluator in process for a 1 MiB
// multipart message with a base64 text/plain part and a quoted-printable text/html part,
// with 100 body rules (decoded: MIME decoding, charset, HTML text) against the same 100
// rules as dataline rules (raw lines, no decoding); and the memory a session holds in the
// middle of such a message, with and without decoding.
#if canImport(Glibc)
    import Glibc
#endif
import FilterRules
import Foundation
import MIMEStream
import TestSupport

/// The options of the mime mode, as its command sets them.
struct MIMEOptions {
    var secondsPerCase = 2.0
    var sessions = 2_000

    /// The defaults, or with `quick` the shorter and smaller cases of --quick.
    init(quick: Bool = false) {
        if quick { secondsPerCase = 0.3; sessions = 200 }
    }
}

/// A 1 MiB multipart/alternative message: half base64 UTF-8 text, half quoted-printable
/// ISO-8859-1 HTML, as LF-ended lines.
enum MIMESampleMessage {
    static func lines(targetBytes: Int = 1 << 20) -> [[UInt8]] {
        var lines = [
            "From: news@shop.example", "To: bob@example.org", "Subject: =?UTF-8?Q?Ihre_Bestellung_f=C3=BCr_M=C3=A4rz?=",
            "MIME-Version: 1.0", "Content-Type: multipart/alternative; boundary=\"b-1\"", "",
            "--b-1", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        ]
        var text: [UInt8] = []
        var index = 0
        while text.count < targetBytes / 2 * 3 / 4 {
            text += Array("Grüße, your order \(index) of widgets ships on Monday; track it in your account.\n".utf8)
            index += 1
        }
        lines += base64Lines(text)
        lines += ["--b-1", "Content-Type: text/html; charset=iso-8859-1", "Content-Transfer-Encoding: quoted-printable", ""]
        var size = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        index = 0
        while size < targetBytes - 16 {
            let line =
                "<p>Gr=FC=DFe, your <b>order</b> \(index) of widgets ships on Monday; <a href=3D\"https://shop.example/t/\(index)\">track it</a> in your "
                + "account.</p>=20="
            lines.append(line)
            size += line.utf8.count + 1
            index += 1
        }
        lines += ["", "--b-1--"]
        return lines.map { Array($0.utf8) }
    }

}

/// Runs the mime mode.
func runMIMEBenchmark(_ options: MIMEOptions) throws {
    let lines = MIMESampleMessage.lines()
    let bytes = lines.reduce(0) { $0 + $1.count + 1 }
    print(
        "message: \(grouped(bytes)) bytes, \(grouped(lines.count)) lines (base64 text/plain, quoted-printable text/html); "
            + "at least \(fixed(options.secondsPerCase, 1)) s per case")
    let datalineRules = SpamRules.file(count: 100)
    let bodyRules = datalineRules.replacingOccurrences(of: "dataline /", with: "body /")
    let cases = [
        ("100 dataline rules (raw lines)", datalineRules), ("100 body rules (decoded)", bodyRules),
        ("1 mimetype rule (decoding alone)", "mimetype /^image\\/never$/ reject\n"),
    ]
    print("| rules | messages | lines/s | MiB/s |")
    print("| --- | ---: | ---: | ---: |")
    var rates: [Double] = []
    for (name, text) in cases {
        let ruleSet = try RuleSetLoader.compile(text: text, file: "mime.rules")
        let (messages, elapsed) = try evaluateRepeatedly(
            ruleSet, lines: lines, for: options.secondsPerCase,
            refused: "the MIME sample message was refused")
        let perSecond = Double(messages * lines.count) / elapsed
        rates.append(perSecond)
        print(
            "| \(name) | \(messages) | \(grouped(Int(perSecond.rounded()))) "
                + "| \(fixed(Double(messages * bytes) / elapsed / 1_048_576, 1)) |")
    }
    print("decoded / raw (body vs dataline, 100 rules): \(fixed(rates[1] / rates[0], 2))")
    try measureSessionMemory(
        lines: lines, sessions: options.sessions,
        cases: [
            ("100 dataline rules", datalineRules), ("100 body rules", bodyRules),
            ("100 dataline rules", datalineRules),
        ])
}

/// Resident memory per session with `sessions` evaluators each stopped inside the base64
/// part, with a line of text under way (the most a session holds of a message).
private func measureSessionMemory(lines: [[UInt8]], sessions: Int, cases: [(String, String)]) throws {
    let half = lines.count / 4
    print("memory: \(grouped(sessions)) sessions, each stopped at line \(grouped(half)) of the message")
    print("| rules | resident bytes per session |")
    print("| --- | ---: |")
    // Every case's sessions stay alive to the end, so no case reuses memory another freed.
    var kept: [[SessionEvaluator]] = []
    for (name, text) in cases {
        let ruleSet = try RuleSetLoader.compile(text: text, file: "mime.rules")
        let before = residentBytes()
        var evaluators: [SessionEvaluator] = []
        evaluators.reserveCapacity(sessions)
        for _ in 0..<sessions {
            let evaluator = SessionEvaluator(ruleSet: ruleSet)
            _ = evaluator.data()
            for line in lines[..<half] { evaluator.dataLine(line) }
            evaluators.append(evaluator)
        }
        let after = residentBytes()
        print("| \(name) | \(grouped((after - before) / sessions)) |")
        kept.append(evaluators)
    }
    // The decoder alone: each stream stopped at the same line.
    let before = residentBytes()
    var streams: [MIMEStream] = []
    streams.reserveCapacity(sessions)
    var events = 0
    for _ in 0..<sessions {
        var stream = MIMEStream()
        for (index, line) in lines[..<half].enumerated() { stream.feed(line, number: index + 1) { _, _ in events += 1 } }
        streams.append(stream)
    }
    print("| MIMEStream alone (no rules) | \(grouped((residentBytes() - before) / sessions)) |")
    withExtendedLifetime(kept) {}
    withExtendedLifetime(streams) {}
}

/// This process's resident set size in bytes (/proc/self/statm); the mime and store modes use it.
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
