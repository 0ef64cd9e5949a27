import Testing
@testable import FilterRules

@Suite("Rules parser: hints for patterns written wrong")
struct PatternHintTests {
    @Test("an unescaped / ends the regex early: the column is at that /, the hint writes \\/")
    func unescapedSlashInTheFlags() {
        #expect(
            diagnostic("body /http://bit.ly/ reject") == "r.conf:1:12: regex ends early at this '/': "
                + #"expected flags (i, x, s, m, u) or a blank after it, found '/bit.ly/'; "#
                + #"write a slash inside a regex as \/, as in /http:\/\/bit.ly/"#)
        // Flags after the last slash stay flags; slashes already escaped stay as they are.
        #expect(
            diagnostic(#"mail /a\/b/c@d/i reject"#) == "r.conf:1:11: regex ends early at this '/': "
                + #"expected flags (i, x, s, m, u) or a blank after it, found 'c@d/i'; "#
                + #"write a slash inside a regex as \/, as in /a\/b\/c@d/i"#)
        // A closing slash missing too: the regex meant runs to the end of the word.
        #expect(
            diagnostic("body /http://spam reject") == "r.conf:1:12: regex ends early at this '/': "
                + #"expected flags (i, x, s, m, u) or a blank after it, found '/spam'; "#
                + #"write a slash inside a regex as \/, as in /http:\/\/spam/"#)
    }

    @Test("an unescaped / ends the regex early and the rest stands where the action goes")
    func unescapedSlashBeforeTheAction() {
        #expect(
            diagnostic("body /path to/ file/ reject") == "r.conf:1:14: regex ends early at this '/': "
                + "expected an action after it, found 'file/'; "
                + #"write a slash inside a regex as \/, as in /path to\/ file/"#)
        // Across a continuation: the column is where the / was written; the regex meant
        // holds the blanks of the joined line.
        #expect(
            diagnostics("body /a/ \\\n  b/i reject\n") == [
                "r.conf:1:8: regex ends early at this '/': "
                    + "expected an action after it, found 'b/i'; "
                    + #"write a slash inside a regex as \/, as in /a\/    b/i"#
            ])
    }

    @Test("a regex that ends where it should keeps the usual errors")
    func noHintWithoutASlashAfterTheRegex() {
        #expect(diagnostic("body /a/b reject") == "r.conf:1:9: unknown flag 'b', expected one of i, x, s, m, u")
        #expect(
            diagnostic("body /a/ /b/ reject")
                == "r.conf:1:10: unknown action '/b/', expected accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
        )
        #expect(
            diagnostic(#"body /a/ rejekt "see http://x/""#)
                == "r.conf:1:10: unknown action 'rejekt', expected accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
        )
        #expect(diagnostics(#"body /http:\/\/bit.ly/ reject"#) == [])
    }

    @Test("an address block outside addr: the same rule as an addr rule")
    func addressBlockOutsideAddr() {
        #expect(
            diagnostic("connect 10.0.0.0/8 reject") == "r.conf:1:9: expected a /regex/, found 10.0.0.0/8; "
                + "address blocks work only in addr rules: write 'addr 10.0.0.0/8 reject'")
        #expect(
            diagnostic(#"helo ! 2001:db8::/32 reject 550 "5.7.1 No""#)
                == "r.conf:1:8: expected a /regex/, found 2001:db8::/32; "
                + #"address blocks work only in addr rules: write 'addr ! 2001:db8::/32 reject 550 "5.7.1 No"'"#)
        #expect(
            diagnostic("rcpt 192.0.2.7 accept session # our relay") == "r.conf:1:6: expected a /regex/, found 192.0.2.7; "
                + "address blocks work only in addr rules: write 'addr 192.0.2.7 accept session'")
        // Not an address block: the slashes hint.
        #expect(
            diagnostic("connect 10.0.0.0/33 reject")
                == #"r.conf:1:9: expected a /regex/, found 10.0.0.0/33; write it between slashes: /10.0.0.0\/33/"#)
    }

    @Test("a word or text where the regex goes: between slashes; an action there: the regex goes first")
    func slashesHint() {
        #expect(
            diagnostic("helo localhost reject")
                == "r.conf:1:6: expected a /regex/, found localhost; write it between slashes: /localhost/")
        #expect(
            diagnostic("body http://x reject")
                == #"r.conf:1:6: expected a /regex/, found http://x; write it between slashes: /http:\/\/x/"#)
        #expect(
            diagnostic("header Subject viagra reject")
                == "r.conf:1:16: expected a /regex/ after the header name, found viagra; write it between slashes: /viagra/")
        #expect(diagnostic("body reject") == "r.conf:1:6: expected a /regex/, found reject; write the /regex/ before the action")
        #expect(diagnostic("body !! /x/ reject") == "r.conf:1:6: expected a /regex/, found !!")
        // addr rules say what they take instead.
        #expect(
            diagnostic("addr example.org reject")
                == "r.conf:1:6: expected a /regex/ or an address block, found example.org")
    }
}
