// The conditions mode (issue 12), in process: MAIL queries per second against a list file of
// 10 and of 100,000 senders (hash lookups: the cost should not grow with the list), and RCPT
// queries per second with 100 plain rules against 100 combined rules (`helo ... and rcpt
// ...`), 0 rules as the baseline.
import Foundation
import FilterRules

/// Runs the conditions mode (takes the evaluate mode's options; `--rules` is ignored).
func runConditionBenchmark(_ options: EvaluateOptions) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("filter-bench-lists-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let senders = (0..<1_000).map { "sender\($0)@domain\($0 % 97).example" }
    print("at least \(fixed(options.secondsPerCase, 1)) s per case; the queries' senders and recipients are on no list and match no rule")
    print("")
    print("| list entries | MAIL queries/s | vs. 10 entries |")
    print("| ---: | ---: | ---: |")
    var baseline: Double?
    for count in [10, 100_000] {
        let entries = (0..<count).map { index in
            index % 3 == 0 ? "@listed\(index).example" : index % 3 == 1 ? ".zone\(index).example" : "user\(index)@listed.example"
        }
        let list = directory.appendingPathComponent("list-\(count)").path
        try (entries.joined(separator: "\n") + "\n").write(toFile: list, atomically: true, encoding: .utf8)
        let rules = directory.appendingPathComponent("rules-\(count).conf").path
        let ruleSet = try RuleSetLoader.compile(text: "mail file \"\(list)\" reject\n", file: rules)
        let perSecond = try queriesPerSecond(options.secondsPerCase, ruleSet: ruleSet, inputs: senders) { $0.mail($1) }
        baseline = baseline ?? perSecond
        print("| \(grouped(count)) | \(grouped(Int(perSecond.rounded()))) | \(fixed(perSecond / baseline!, 3)) |")
    }
    print("")
    print("| rules | RCPT queries/s | µs per query | vs. 0 rules |")
    print("| --- | ---: | ---: | ---: |")
    let recipients = (0..<1_000).map { "person\($0)@example.net" }
    let cases = [
        ("0", ""),
        ("100 plain rcpt", (0..<100).map { "rcpt /^user\($0)@example\\.org$/ reject\n" }.joined()),
        ("100 combined helo and rcpt", (0..<100).map { "helo /^host\($0)\\.example$/ and rcpt /^user\($0)@example\\.org$/ reject\n" }.joined()),
    ]
    var zero: Double?
    for (name, text) in cases {
        let ruleSet = try RuleSetLoader.compile(text: text, file: "conditions.rules")
        let perSecond = try queriesPerSecond(options.secondsPerCase, ruleSet: ruleSet, inputs: recipients) { $0.rcpt($1) }
        zero = zero ?? perSecond
        print("| \(name) | \(grouped(Int(perSecond.rounded()))) | \(fixed(1e6 / perSecond, 2)) | \(fixed(perSecond / zero!, 3)) |")
    }
}

/// Queries per second of `query` over `inputs` (one session per 1,000 queries, after HELO
/// and MAIL); every query must be accepted.
private func queriesPerSecond(
    _ minimumSeconds: Double, ruleSet: CompiledRuleSet, inputs: [String],
    _ query: (SessionEvaluator, String) -> Decision
) throws -> Double {
    var queries = 0
    let start = ContinuousClock.now
    var elapsed = 0.0
    repeat {
        let evaluator = SessionEvaluator(ruleSet: ruleSet)
        _ = evaluator.connect(address: "192.0.2.1", hostname: "client.example")
        _ = evaluator.helo("client.example")
        _ = evaluator.mail("someone@client.example")
        for input in inputs {
            guard query(evaluator, input).isAccept else { throw BenchmarkFailure("\(input) was refused") }
        }
        queries += inputs.count
        elapsed = seconds(ContinuousClock.now - start)
    } while elapsed < minimumSeconds
    return Double(queries) / elapsed
}
