import ConfigurationFiles
import OpenSMTPD
import PCRE2Matching
import PCRETable
import SMTPDTestDouble
import Testing

@Suite("Map lookups")
struct PCREMapTests {
    static let text = """
        /^postmaster$/          root
        /^(.+)@(example\\.org)$/ $1@mail.$2
        /^(a|b)?c$/             [$1]
        /^x/                    first
        /^xy/                   second
        /^e(.*)$/               $1
        """

    @Test("first match wins, groups are expanded")
    func lookups() throws {
        let map = try PCREMap.compile(text: Self.text, file: "m")
        #expect(try map.lookup("postmaster") == "root")
        #expect(try map.lookup("jo@example.org") == "jo@mail.example.org")
        #expect(try map.lookup("xyz") == "first")
        #expect(try map.lookup("bc") == "[b]")
        #expect(try map.lookup("c") == "[]")
        #expect(try map.lookup("nobody") == nil)
        #expect(try map.check("xy"))
        #expect(try !map.check("nobody"))
        #expect(map.fetchableValues == ["root", "first", "second"])
    }

    @Test("a value that expands to nothing is an error, not a value")
    func emptyValue() throws {
        let map = try PCREMap.compile(text: Self.text, file: "m")
        #expect(throws: PCREMapError.emptyValue(SourceLocation(file: "m", line: 6, column: 1))) { try map.lookup("e") }
        #expect(try map.check("e"))
    }

    @Test("a regex hitting the match limit makes the lookup fail")
    func limit() throws {
        let map = try PCREMap.compile(text: "/^(a+)+$/ x\n/a/ y\n", file: "m", limits: MatchLimits(matchLimit: 1000, depthLimit: 1000))
        let key = String(repeating: "a", count: 30) + "b"
        #expect(throws: PCREMapError.self) { try map.lookup(key) }
        do {
            _ = try map.lookup(key)
        } catch {
            guard case let .limitExceeded(location, _) = error else { Issue.record("\(error)"); return }
            #expect(location.line == 1)
        }
    }
}

@Suite("The table-pcre backend")
struct PCRETableBackendTests {
    @Test("services outside the chosen ones answer not found")
    func services() throws {
        let file = try TemporaryFile("/^a$/ one\n")
        let table = try PCRETable(path: file.path, services: [.alias, .domain])
        #expect(try table.lookup(service: .alias, key: "a") == "one")
        #expect(try table.check(service: .domain, key: "a"))
        #expect(try table.lookup(service: .credentials, key: "a") == nil)
        #expect(try !table.check(service: .netaddr, key: "a"))
        #expect(table.fetch(service: .source) == nil)
        #expect(!table.serves(.none))
        #expect(table.serves([.alias, .domain]))
        #expect(!table.serves([.alias, .source]))
    }

    @Test("fetch cycles through the values without references, restarting after an update")
    func fetch() throws {
        let file = try TemporaryFile("/a/ one\n/(b)/ $1\n/c/ two\n")
        let table = try PCRETable(path: file.path)
        #expect((0..<5).map { _ in table.fetch(service: .source) } == ["one", "two", "one", "two", "one"])
        #expect(table.update())
        #expect(table.fetch(service: .source) == "one")
    }

    @Test("update keeps the old map when the new text has errors")
    func update() throws {
        let file = try TemporaryFile("/a/ old\n")
        let table = try PCRETable(path: file.path)
        try file.write("/a/ new\n/(/ broken\n")
        #expect(!table.update())
        #expect(try table.lookup(service: .alias, key: "a") == "old")
        try file.write("/a/ new\n")
        #expect(table.update())
        #expect(try table.lookup(service: .alias, key: "a") == "new")
    }

    @Test("attached to a Table, the callbacks answer the daemon's requests")
    func attached() throws {
        let file = try TemporaryFile("/^(.*)@example\\.org$/ $1\n")
        let backend = try PCRETable(path: file.path, services: .alias)
        let table = Table()
        backend.attach(to: table)
        #expect(table.reply(to: .lookup(service: .alias, params: [:], key: "jo@example.org")) == .value("jo"))
        #expect(table.reply(to: .lookup(service: .alias, params: [:], key: "jo@example.net")) == .result(.notFound))
        #expect(table.reply(to: .check(service: .domain, params: [:], key: "jo@example.org")) == .result(.notFound))
        #expect(table.reply(to: .fetch(service: .alias, params: [:])) == .result(.notFound))
        #expect(table.reply(to: .update) == .result(.found))
        #expect(table.reply(to: .lookup(service: .alias, params: [:], key: "@example.org")) == .result(.temporaryFailure))
    }
}
