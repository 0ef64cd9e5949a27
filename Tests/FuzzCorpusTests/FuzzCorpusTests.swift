import Foundation
import SMTPDTestDouble
import Testing

/// The fuzz targets' seed corpus, replayed through `filter-fuzz` as the normal build makes it
/// (no libFuzzer): each input runs to its end, so the seeds stay valid inputs for
/// scripts/fuzz and the replayer keeps working for crash inputs.
@Suite("Fuzz targets: the seed corpus replays")
struct FuzzCorpusTests {
    static let targets = ["imsg", "v52", "line", "rules", "transcript", "mime"]

    /// `Fuzz/corpus` of the package, found from this file.
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    @Test("every seed runs through its target", arguments: targets)
    func seedsReplay(_ target: String) throws {
        let directory = Self.corpus.appendingPathComponent(target)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .map { directory.appendingPathComponent($0).path }
        #expect(!files.isEmpty)
        let result = try runProgram(FilterProcess.builtExecutable(named: "filter-fuzz"), [target] + files, timeout: 30)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "filter-fuzz \(target): \(files.count) input(s) ran\n")
    }
}
