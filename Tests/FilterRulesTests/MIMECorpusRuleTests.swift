import Foundation
import TestSupport
import Testing
@testable import FilterRules

/// The corpus of Tests/Fixtures/mime (written by Python's email package, see generate.py
/// there) and the decoded text Python found in each message.
private let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/mime")

/// `text` as a regex that matches it literally (ASCII punctuation escaped).
private func literal(_ text: String) -> String {
    var pattern = ""
    for character in text {
        if character.isASCII, !character.isLetter, !character.isNumber, character != " " { pattern.append("\\") }
        pattern.append(character)
    }
    return pattern
}

/// The message `bytes` through an evaluator of `rules`, line by line as smtpd sends them.
private func verdict(_ rules: String, _ bytes: [UInt8]) throws -> Decision {
    let evaluator = try rulesSession(rules, file: "c.conf")
    _ = evaluator.data()
    var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    for line in lines { evaluator.dataLine(Array(line)) }
    return evaluator.endOfMessage()
}

@Suite("The Python-written corpus through the rules: decoded words refuse, encoded chunks only for dataline")
struct MIMECorpusRuleTests {
    @Test func corpus() throws {
        let json = try Data(contentsOf: corpusDirectory.appendingPathComponent("expected.json"))
        let corpus = try #require(try JSONSerialization.jsonObject(with: json) as? [String: [String: [String]]])
        #expect(corpus.count == 8)
        for (name, expected) in corpus.sorted(by: { $0.key < $1.key }) {
            let bytes = Array(try Data(contentsOf: corpusDirectory.appendingPathComponent(name)))
            #expect(try verdict("body /./ accept\n", bytes).isAccept)
            for phrase in expected["body"] ?? [] {
                #expect(try verdict("body /\(literal(phrase))/ reject 551\n", bytes).reply?.code == 551, "\(name): \(phrase)")
                #expect(
                    try verdict("dataline /\(literal(phrase))/ reject\n", bytes).isAccept || phrase.allSatisfy(\.isASCII),
                    "\(name): \(phrase) raw")
            }
            for phrase in expected["header"] ?? [] {
                #expect(try verdict("header /\(literal(phrase))/ reject 552\n", bytes).reply?.code == 552, "\(name): \(phrase)")
            }
            for chunk in expected["raw"] ?? [] {
                #expect(
                    try verdict("body /\(literal(chunk))/ reject\nheader /\(literal(chunk))/ reject\n", bytes).isAccept,
                    "\(name): \(chunk)")
                #expect(try verdict("dataline /\(literal(chunk))/ reject 553\n", bytes).reply?.code == 553, "\(name): \(chunk)")
            }
            for attachment in expected["attachment"] ?? [] {
                #expect(try verdict("attachment /^\(literal(attachment))$/ reject 554\n", bytes).reply?.code == 554, "\(name)")
            }
            for type in expected["mimetype"] ?? [] {
                #expect(try verdict("mimetype /^\(literal(type))$/ reject 555\n", bytes).reply?.code == 555, "\(name)")
            }
        }
    }
}
