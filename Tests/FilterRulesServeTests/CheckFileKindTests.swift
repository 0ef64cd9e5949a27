import Foundation
import SMTPDTestDouble
import Testing

@Suite("filter-rules check: paths that are not regular files")
struct CheckFileKindTests {
    @Test("a directory, a FIFO and a device each get one line, exit 1, and a FIFO does not block")
    func notRegularFiles() throws {
        let rules = try TemporaryRulesFile("")
        let fifo = rules.directory.path + "/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        let expected = [
            (rules.directory.path, "a directory"),
            (fifo, "a FIFO (named pipe)"),
            ("/dev/null", "a character device"),
        ]
        for (path, kind) in expected {
            let result = try runFilterRules(["check", path])
            #expect(result.status == 1)
            #expect(
                result.standardError == """
                    \(path): cannot read the file: it is \(kind), expected a regular file
                    \(path): 1 error(s)

                    """)
        }
    }

    @Test("a missing file: one line naming it, exit 1")
    func missingFile() throws {
        let result = try runFilterRules(["check", "/nonexistent/filter-rules.conf"])
        #expect(result.status == 1)
        #expect(
            result.standardError == """
                /nonexistent/filter-rules.conf: cannot read the file: no such file or directory
                /nonexistent/filter-rules.conf: 1 error(s)

                """)
    }
}
