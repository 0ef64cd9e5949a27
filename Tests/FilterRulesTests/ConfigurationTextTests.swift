import ConfigurationFiles
import Foundation
import Testing
@testable import FilterRules

/// A fresh directory under the temporary directory, removed with this value.
private final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("filter-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `bytes` to `name` in the directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// The one diagnostic of reading `path`, as `FILE...: message`; nil when it reads.
private func readError(_ path: String) -> String? {
    do {
        _ = try ConfigurationText.read(path: path)
        return nil
    } catch {
        return error.description
    }
}

/// The diagnostic of `bytes` as the text of `r.conf`; nil when they are UTF-8.
private func encodingError(_ bytes: [UInt8]) -> String? {
    do {
        _ = try ConfigurationText.text(of: bytes, file: "r.conf")
        return nil
    } catch {
        return error.description
    }
}

/// The resident set size of this process, in bytes.
private func residentBytes() throws -> Int {
    let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
    return try #require(Int(fields[1])) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

private let iconvHint = "expected a UTF-8 text file; convert the file, e.g. with iconv -f ISO-8859-1 -t UTF-8"

@Suite("Reading configuration files")
struct ConfigurationTextTests {
    @Test func readsARegularFile() throws {
        let directory = try ScratchDirectory()
        let path = try directory.file("r.conf", Array("mail /x/ reject\nrcpt /y/ accept\n".utf8))
        #expect(try ConfigurationText.read(path: path) == "mail /x/ reject\nrcpt /y/ accept\n")
        #expect(try ConfigurationText.read(path: directory.file("empty", [])) == "")
        let set = try RuleSetLoader.load(path: path)
        #expect(set.file.path == path)
        #expect(set.file.format == .rules)
        #expect(set.rules.count == 2)
        #expect(set.rules[1].rule.location == SourceLocation(file: path, line: 2, column: 1))
    }

    @Test func readsAFileLargerThanOneChunk() throws {
        let directory = try ScratchDirectory()
        let text = String(repeating: "body /x/ reject # a comment that makes the line longer\n", count: 5_000)
        #expect(try ConfigurationText.read(path: directory.file("r.conf", Array(text.utf8))) == text)
    }

    @Test("a leading UTF-8 byte-order mark is not part of the first rule")
    func byteOrderMark() throws {
        let directory = try ScratchDirectory()
        let path = try directory.file("r.conf", [0xEF, 0xBB, 0xBF] + Array("helo /x/ reject\n".utf8))
        let set = try RuleSetLoader.load(path: path)
        #expect(set.rules.map(\.rule.source) == ["helo /x/ reject"])
        #expect(set.rules.first?.rule.stage == .helo)
    }

    @Test func missingFile() {
        #expect(
            readError("/nonexistent/filter-rules-test.conf")
                == "/nonexistent/filter-rules-test.conf: cannot read the file: no such file or directory")
        #expect(readError("/etc/passwd/r.conf") == "/etc/passwd/r.conf: cannot read the file: not a directory")
    }

    @Test func directory() throws {
        let directory = try ScratchDirectory()
        #expect(
            readError(directory.path)
                == "\(directory.path): cannot read the file: it is a directory, expected a regular file")
    }

    @Test(.timeLimit(.minutes(1))) func fifoIsRefusedWithoutBlocking() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/fifo"
        try #require(mkfifo(path, 0o600) == 0)
        #expect(readError(path) == "\(path): cannot read the file: it is a FIFO (named pipe), expected a regular file")
    }

    @Test func socket() throws {
        let directory = try ScratchDirectory()
        let path = directory.path + "/socket"
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        #expect(readError(path) == "\(path): cannot read the file: it is a socket, expected a regular file")
    }

    @Test func device() {
        #expect(readError("/dev/null") == "/dev/null: cannot read the file: it is a character device, expected a regular file")
    }

    @Test func notUTF8NamesTheFirstBadByte() throws {
        #expect(encodingError(Array("body ".utf8) + [0xff, 0xfe]) == "r.conf:1:6: byte 0xFF is not UTF-8, \(iconvHint)")
        // Latin-1 "café" on line 2; the column counts the characters before it.
        #expect(
            encodingError(Array("mail /x/ reject\nbody /caf".utf8) + [0xe9] + Array("/ reject\n".utf8))
                == "r.conf:2:10: byte 0xE9 is not UTF-8, \(iconvHint)")
        // Valid multi-byte characters before the bad byte count as one column each.
        #expect(encodingError(Array("# é€😀 ".utf8) + [0x80]) == "r.conf:1:7: byte 0x80 is not UTF-8, \(iconvHint)")
        // An overlong encoding, an encoded surrogate, a sequence cut short by the end.
        #expect(encodingError([0x61, 0xc0, 0x80]) == "r.conf:1:2: byte 0xC0 is not UTF-8, \(iconvHint)")
        #expect(encodingError(Array("x\n\n".utf8) + [0xed, 0xa0, 0x80]) == "r.conf:3:1: byte 0xED is not UTF-8, \(iconvHint)")
        #expect(encodingError(Array("ab".utf8) + [0xe2, 0x82]) == "r.conf:1:3: byte 0xE2 is not UTF-8, \(iconvHint)")
        #expect(encodingError(Array("body /é/ reject\r\n".utf8)) == nil)
    }

    @Test func notUTF8FromAFile() throws {
        let directory = try ScratchDirectory()
        let path = try directory.file("r.conf", Array("mail /x/ reject\nbody ".utf8) + [0xff])
        do {
            _ = try RuleSetLoader.load(path: path)
            Issue.record("expected an encoding error")
        } catch {
            #expect(error.description == "\(path):2:6: byte 0xFF is not UTF-8, \(iconvHint)")
        }
    }

    @Test("reading files does not leak memory (Foundation's reader kept about 4 KB per empty file)")
    func readingDoesNotLeak() throws {
        let directory = try ScratchDirectory()
        let path = try directory.file("empty", [])
        // The least growth over three rounds, so that other tests running meanwhile do not count.
        var leastGrowth = Int.max
        for _ in 0..<3 {
            let before = try residentBytes()
            for _ in 0..<20_000 { _ = try ConfigurationText.read(path: path) }
            leastGrowth = min(leastGrowth, try residentBytes() - before)
        }
        // A leak of 4 KB per read would grow the process by 80 MB per round.
        #expect(leastGrowth < 16 << 20, "grew by \(leastGrowth) bytes in 20,000 reads")
    }
}
