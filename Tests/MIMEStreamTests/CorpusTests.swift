import Foundation
import Testing
@testable import MIMEStream

/// The corpus Tests/Fixtures/mime/generate.py wrote with Python's email package, and what
/// Python's parser decoded from it (expected.json).
struct MIMECorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mime")

    /// What one message must show.
    struct Expected {
        var header: [String], body: [String], attachment: [String], mimetype: [String], raw: [String]
        var htmlText: [String], htmlTags: [String]
    }

    /// The messages by file name.
    static func load() throws -> [(name: String, bytes: [UInt8], expected: Expected)] {
        let json = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: [String: [String]]])
        return try object.keys.sorted().map { name in
            let entry = object[name]!
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
            return (
                name, bytes,
                Expected(
                    header: entry["header"] ?? [], body: entry["body"] ?? [],
                    attachment: entry["attachment"] ?? [], mimetype: entry["mimetype"] ?? [],
                    raw: entry["raw"] ?? [], htmlText: entry["html_text"] ?? [],
                    htmlTags: entry["html_tags"] ?? [])
            )
        }
    }
}

@Suite("The Python-written corpus: our decoding shows what Python's email package decodes")
struct CorpusTests {
    @Test("every message: decoded headers and text, names and types as Python finds them; no encoded chunk in the text")
    func corpus() throws {
        let messages = try MIMECorpus.load()
        #expect(messages.count == 8)
        for (name, bytes, expected) in messages {
            let got = collect(bytes: bytes)
            for phrase in expected.header {
                #expect(got.headers.contains { $0.contains(phrase) }, "\(name): header \(phrase)")
            }
            for phrase in expected.body + expected.htmlText {
                #expect(got.text.contains { $0.contains(phrase) }, "\(name): body \(phrase)")
            }
            for chunk in expected.raw + expected.htmlTags {
                #expect(!got.text.contains { $0.contains(chunk) }, "\(name): \(chunk) in the text")
            }
            for chunk in expected.raw {
                #expect(String(decoding: bytes, as: UTF8.self).contains(chunk), "\(name): \(chunk) not in the raw message")
            }
            #expect(got.names == expected.attachment, "\(name)")
            #expect(got.types == expected.mimetype, "\(name)")
            #expect(got.problems.isEmpty, "\(name): \(got.problems)")
        }
    }
}
