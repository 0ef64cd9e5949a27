import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// The finding for `/pattern/flags`, as `OFFSET: message`, nil for none.
private func shape(_ pattern: String, _ flags: RegexFlags = []) -> String? {
    CatastrophicShape.find(in: pattern, flags: flags).map { "\($0.offset): \($0.message)" }
}

private let possessive = "inside a repeated group can split a text between the repetitions in exponentially many ways; make it possessive, as in"
private let split = "and the group is repeated, so a text can be split in exponentially many ways;"

@Suite("Catastrophic shapes: what check warns about")
struct CatastrophicShapeTests {
    @Test("the known shapes, pointed at the inner repeat, with a fix")
    func knownShapes() {
        #expect(shape("(a+)+") == "2: catastrophic backtracking: 'a+' \(possessive) /(a++)+/")
        #expect(shape("(.*a){20}") == "2: catastrophic backtracking: '.*' also matches the 'a' after it, \(split) stop it before 'a', as in /([^a]*a){20}/")
        #expect(
            shape("(x|x)*") == "3: catastrophic backtracking: the alternatives 'x' and 'x' can match the same text, and the group is "
                + "repeated, so a text can be matched in exponentially many ways; make them differ, or the group atomic, as in /(?>x|x)*/")
        #expect(shape("(.*)*") == "2: catastrophic backtracking: '.*' \(possessive) /(.*+)*/")
        #expect(shape(#"(\w+\s?)+$"#) == #"3: catastrophic backtracking: '\w+' "# + possessive + #" /(\w++\s?)+$/"#)
    }

    @Test("more of them: deeper nesting, lazy repeats, overlapping alternatives, in-group overlap")
    func variants() {
        #expect(shape("((ab)+)+") == "5: catastrophic backtracking: '(ab)+' \(possessive) /((ab)++)+/")
        #expect(
            shape("(a+?)+b") == "2: catastrophic backtracking: 'a+?' inside a repeated group can split a text between the repetitions "
                + "in exponentially many ways; make the group atomic, as in /(?>a+?)+b/")
        #expect(
            shape(#"(\d+|\w+)+"#) == #"5: catastrophic backtracking: the alternatives '\d+' and '\w+' can match the same text, and the "#
                + "group is repeated, so a text can be matched in exponentially many ways; make them differ, or the group atomic, "
                + #"as in /(?>\d+|\w+)+/"#)
        #expect(
            shape(#"(\w+\d)+"#) == #"3: catastrophic backtracking: '\w+' also matches what can follow it, "# + split
                + #" make the group atomic, as in /(?>\w+\d)+/"#)
        #expect(
            shape("(?:x+x+)+y") == "4: catastrophic backtracking: 'x+' also matches what can follow it, \(split) make the group atomic, "
                + "as in /(?>x+x+)+y/")
        #expect(shape("(.+)+$", [.caseless, .utf]) == "2: catastrophic backtracking: '.+' \(possessive) /(.++)+$/iu")
        #expect(shape("(?:[a-z]+\\s?)*$") == "8: catastrophic backtracking: '[a-z]+' \(possessive) /(?:[a-z]++\\s?)*$/")
        // Case-insensitively A and a overlap.
        #expect(shape("(?:A+a)+") == nil)
        #expect(
            shape("(?:A+a)+", .caseless) == "4: catastrophic backtracking: 'A+' also matches what can follow it, \(split) "
                + "make the group atomic, as in /(?>A+a)+/i")
        #expect(
            shape("(?i)(?:A+a)+") == "8: catastrophic backtracking: 'A+' also matches what can follow it, \(split) "
                + "make the group atomic, as in /(?i)(?>A+a)+/")
        // Under x, blanks and comments are no part of the pattern.
        #expect(shape("( a + ) +  # runs of a", .extended) == "4: catastrophic backtracking: 'a +' \(possessive) /( a ++ ) +  # runs of a/x")
    }

    @Test("ordinary patterns raise no warning")
    func ordinaryPatterns() {
        let ordinary = [
            "^Subject:.*viagra", "(foo|bar)+baz", "[a-z]+@[a-z]+\\.com", "(?:[a-z0-9-]+\\.)+[a-z]{2,}", "^(?:\\S+\\s+){20}offer",
            "(?:\\s+\\w+)+", "(?:foo|far)+", "(a|ab)+", "(a|b|c)+", "([^,]*,){10}", "(?:\\.[a-z]+)*", "(\\s*,\\s*\\w+)*",
            "https?:\\/\\/[^\\/\\s]+\\.(?:top|xyz|click)\\b", "name=\"?[^\"]*\\.(?:exe|scr|pif|bat|js)\"?\\s*$",
            "\\b(?:viagra|cialis|levitra)\\b", "(?:dear|attention) (?:beneficiary|winner),? ref", "^(?:0\\.|169\\.254\\.|fe80:)",
            " (?: ^ | [.-] ) (?: dynamic | dialup | pool | ppp ) [0-9]* [.-] ", "^bounces\\+[^@]+@lists\\.example\\.com$",
            "[\\x{1F4B0}\\x{1F4B8}]{2,}", "^X-Mailer:\\s*(?:Mass ?Mailer|Bulk ?Sender)\\b", "(?>a+)+", "(a++)+", "(.*+)*",
            "([^a]*a){20}", "bitcoin wallet [13][a-km-zA-HJ-NP-Z1-9]{25,34}", "limited[ -]time offer.{0,20}zq", "a{2,}b{3}",
            "(?<=\\d)(?:\\.\\d+)+", "(?#comment)x+", "\\Q(a+)+\\E", "[(a+)+]", "(?(1)a|b)+", "(a)\\1+",
        ]
        for pattern in ordinary {
            let flags: RegexFlags = pattern.hasPrefix(" (?:") ? .extended : []
            #expect(shape(pattern, flags) == nil, "\(pattern)")
        }
    }

    @Test("a rules file's warnings point at the inner repeat where it was written, continued lines too")
    func locations() throws {
        let text = "body /(a+)+/ reject\nheader Subject /^(?:\\w+\\s?)+$/i reject\nbody /x\\\n(.*a){20}/ reject\nbody /ok/ reject\n"
        let warnings = try RuleSetLoader.compile(text: text, file: "w.conf").warnings.map(\.description)
        #expect(
            warnings == [
                "w.conf:1:9: warning: catastrophic backtracking: 'a+' \(possessive) /(a++)+/",
                "w.conf:2:23: warning: catastrophic backtracking: '\\w+' \(possessive) /^(?:\\w++\\s?)+$/i",
                "w.conf:4:3: warning: catastrophic backtracking: '.*' also matches the 'a' after it, \(split) stop it before 'a', "
                    + "as in /x ([^a]*a){20}/",
            ])
        #expect(
            try RuleSetLoader.compile(text: "#format filter-regex\ndataline (x|x)*y\n", file: "l.conf").warnings.map(\.logText)
                == [
                    "l.conf:2:13: catastrophic backtracking: the alternatives 'x' and 'x' can match the same text, and the group is "
                        + "repeated, so a text can be matched in exponentially many ways; make them differ, or the group atomic, as in /(?>x|x)*y/"
                ])
        #expect(try RuleSetLoader.compile(text: "addr 10.0.0.0/8 reject\nhelo /ok/ reject\n", file: "n.conf").warnings.isEmpty)
    }
}
