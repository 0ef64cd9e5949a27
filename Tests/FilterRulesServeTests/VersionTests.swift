import Foundation
import SMTPDTestDouble
import Testing

/// The version written in `Sources/CommandLineSupport/Version.swift`, read the way
/// `scripts/build-deb` reads it for the package.
func declaredVersion() throws -> String {
    let source = try String(contentsOfFile: repositoryRoot + "/Sources/CommandLineSupport/Version.swift", encoding: .utf8)
    let line = try #require(source.split(separator: "\n").first { $0.hasPrefix("public let filterRulesVersion = \"") })
    return String(line.dropFirst("public let filterRulesVersion = \"".count).dropLast())
}

@Suite("--version of the shipped programs")
struct VersionTests {
    @Test("the declared version is a plain dotted release number, as Debian versions sort")
    func declaredVersionIsDotted() throws {
        let version = try declaredVersion()
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }, "\(version)")
    }

    @Test("filter-rules and table-pcre print the declared version and exit 0", arguments: ["filter-rules", "table-pcre"])
    func printsVersion(program: String) throws {
        let result = try runProgram(FilterProcess.builtExecutable(named: program), ["--version"])
        #expect(result.status == 0)
        #expect(result.standardOutput == "\(try declaredVersion())\n")
        #expect(result.standardError.isEmpty)
    }
}
