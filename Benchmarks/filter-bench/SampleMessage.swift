import SMTPDTestDouble

/// A realistic message of about `targetBytes`: headers, a plain-text part of prose and a
/// base64 attachment, in lines of up to 78 bytes plus `\n` (as smtpd writes them into the
/// filter's pipe). Deterministic, so every case of the benchmark pushes the same bytes.
///
/// No rule of ``SpamRules`` can match it: the prose comes from ``vocabulary`` (no `zq`
/// tokens), and every rule needs a space or a colon, which the base64 lines lack.
struct SampleMessage {
    /// The whole message.
    let bytes: [UInt8]
    /// How many lines it has.
    let lineCount: Int

    private static let vocabulary = [
        "the", "meeting", "is", "moved", "to", "Thursday", "afternoon", "because", "several", "people",
        "from", "our", "team", "will", "be", "travelling", "and", "we", "need", "a", "decision", "on",
        "budget", "for", "next", "quarter", "please", "review", "attached", "report", "before", "then",
        "numbers", "include", "all", "regional", "offices", "except", "Berlin", "which", "sent",
        "figures", "late", "I", "think", "should", "discuss", "hiring", "plan", "as", "well", "thanks",
        "regards", "project", "schedule", "delivery", "customer", "feedback", "was", "mostly",
        "positive", "but", "some", "issues", "with", "invoice", "format", "remain", "open", "let", "me",
        "know", "if", "you", "have", "questions", "about", "this", "draft", "contract", "section",
        "three", "covers", "support", "terms", "server", "migration", "finished", "last", "night",
        "without", "problems", "backup", "logs", "look", "fine", "today",
    ]

    /// Builds the message; `targetBytes` is reached to within one line.
    init(targetBytes: Int) {
        var random = SeededGenerator(seed: 0x5eed_f11e)
        var lines: [String] = [
            "Received: from mail.example.org (mail.example.org [192.0.2.7])",
            "\tby mx.example.net (OpenSMTPD) with ESMTPS id 4f2a9c1e",
            "\tfor <bob@example.net>; Wed, 25 Nov 2026 09:14:03 +0100 (CET)",
            "From: Alice Example <alice@example.org>",
            "To: Bob Example <bob@example.net>",
            "Subject: Quarterly report and the schedule for next week",
            "Date: Wed, 25 Nov 2026 09:13:58 +0100",
            "Message-ID: <20261125091358.4f2a9c1e@mail.example.org>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b1_4f2a9c1e8d7b6a5f\"",
            "",
            "--b1_4f2a9c1e8d7b6a5f",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        var size = lines.reduce(0) { $0 + $1.utf8.count + 1 }
        // Half prose, half attachment.
        while size < targetBytes / 2 {
            var line = ""
            let width = 66 + Int(random.next() % 13)
            while true {
                let word = Self.vocabulary[Int(random.next() % UInt64(Self.vocabulary.count))]
                if !line.isEmpty && line.utf8.count + 1 + word.utf8.count > width { break }
                line += line.isEmpty ? word.capitalizedFirst : " " + word
            }
            if random.next() % 4 == 0 { line += "." }
            lines.append(line)
            size += line.utf8.count + 1
        }
        for header in [
            "", "--b1_4f2a9c1e8d7b6a5f", "Content-Type: application/pdf; name=\"report.pdf\"",
            "Content-Transfer-Encoding: base64", "Content-Disposition: attachment; filename=\"report.pdf\"", "",
        ] {
            lines.append(header)
            size += header.utf8.count + 1
        }
        let digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        while size < targetBytes {
            let line = String((0..<76).map { _ in digits[Int(random.next() % 64)] })
            lines.append(line)
            size += 77
        }
        lines.append("--b1_4f2a9c1e8d7b6a5f--")
        bytes = Array(lines.joined(separator: "\n").utf8) + [0x0a]
        lineCount = lines.count
    }
}

extension String {
    /// The string with its first letter upper-cased.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
