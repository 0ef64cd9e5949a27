import FilterRulesEngine
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif

/// How `test` prints its reports.
enum DryRunOutput {
    /// JSON: one array of reports. Text: for transcripts each report and a count of failures,
    /// for messages one verdict line each.
    static func print(_ reports: [TranscriptReport], json: Bool, messages: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            Swift.print(String(decoding: try encoder.encode(reports), as: UTF8.self))
        } else if messages {
            for report in reports { Swift.print(report.verdictLine) }
        } else {
            for report in reports { Swift.print(report.text) }
            Swift.print("\(reports.count) transcript(s), \(reports.filter { !$0.passed }.count) failed")
        }
    }
}
