import PCRETable
import Testing

/// The map examples of Postfix's pcre_table(5) (EXAMPLE SMTPD ACCESS MAP, HEADER FILTER
/// MAP, BODY FILTER MAP) and its TABLE FORMAT rules, read by table-pcre as Postfix reads
/// them. The example lines are Postfix's, as a map file holds them.
@Suite("Postfix pcre_table(5) compatibility")
struct PostfixExampleTests {
    static let accessMap = """
        # Protect your outgoing majordomo exploders
        /^(?!owner-)(.*)-outgoing@(.*)/ 550 Use ${1}@${2} instead

        # Bounce friend@whatever, except when whatever is our domain (you would
        # be better just bouncing all friend@ mail - this is just an example).
        /^(friend@(?!my\\.domain$).*)$/\t 550 Stick this in your pipe $1

        # A multi-line entry. The text is sent as one line.
        #
        /^noddy@my\\.domain$/
         550 This user is a funny one. You really don't want to send mail to
         them as it only makes their head spin.

        """

    @Test("the access map: lookahead, ${N}, a multi-line entry sent as one line")
    func accessMap() throws {
        let map = try PCREMap.compile(text: Self.accessMap, file: "access.pcre")
        #expect(map.entries.count == 3)
        #expect(try map.lookup("majordomo-outgoing@example.org") == "550 Use majordomo@example.org instead")
        #expect(try map.lookup("owner-majordomo-outgoing@example.org") == nil)
        #expect(try map.lookup("friend@example.org") == "550 Stick this in your pipe friend@example.org")
        #expect(try map.lookup("friend@my.domain") == nil)
        #expect(
            try map.lookup("noddy@my.domain") == """
                550 This user is a funny one. You really don't want to send mail to them as it only makes their head spin.
                """)
        #expect(map.entries[2].location.line == 10)
    }

    @Test("the header map: case-insensitive by default")
    func headerMap() throws {
        let map = try PCREMap.compile(text: "/^Subject: make money fast/     REJECT\n/^To: friend@public\\.com/\t REJECT\n", file: "header.pcre")
        #expect(try map.lookup("Subject: Make Money Fast!!!") == "REJECT")
        #expect(try map.lookup("to: FRIEND@public.com") == "REJECT")
        #expect(try map.lookup("To: friend@publicXcom") == nil)
    }

    @Test("the body map: another delimiter, a POSIX class with a / in it")
    func bodyMap() throws {
        let map = try PCREMap.compile(text: "# First skip over base 64 encoded text to save CPU cycles.\n~^[[:alnum:]+/]{60,}$~\t\tOK\n", file: "body.pcre")
        #expect(try map.lookup(String(repeating: "QUJD+/", count: 10)) == "OK")
        #expect(try map.lookup(String(repeating: "QUJD+/", count: 9)) == nil)
    }

    @Test("the i flag toggles to case-sensitive; other flags toggle too")
    func flags() throws {
        let map = try PCREMap.compile(text: "/^Admin$/i exact\n/^admin$/ any-case\n/^a.b$/s no-dotall\n", file: "f.pcre")
        #expect(try map.lookup("Admin") == "exact")
        #expect(try map.lookup("ADMIN") == "any-case")
        #expect(try map.lookup("a\nb") == nil)
        #expect(try map.lookup("a-b") == "no-dotall")
    }

    @Test("!/re/ applies when the regex does not match; if /re/ ... endif nests; if !/re/")
    func negationAndBlocks() throws {
        let map = try PCREMap.compile(
            text: """
                if /@example\\.org$/
                if !/^(postmaster|abuse)@/
                /^([^@]+)@/ ${1}
                endif
                /^postmaster@/ root
                endif
                !/@/ not-an-address
                /./ elsewhere

                """, file: "blocks.pcre")
        #expect(try map.lookup("jane@example.org") == "jane")
        #expect(try map.lookup("postmaster@example.org") == "root")
        // The inner block is skipped, no rule of the outer one applies: /./ after them does.
        #expect(try map.lookup("abuse@example.org") == "elsewhere")
        #expect(try map.lookup("bare-name") == "not-an-address")
        #expect(try map.lookup("jane@example.net") == "elsewhere")
        #expect(try map.lookup("") == "not-an-address")
        #expect(map.fetchableValues == ["root", "not-an-address", "elsewhere"])
    }
}
