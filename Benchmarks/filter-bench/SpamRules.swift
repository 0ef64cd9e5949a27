/// Rules files of N distinct `dataline` rules in the style of real spam filters: phrases,
/// alternations, character classes, URLs and bounded repeats, some case-insensitive
/// (`/i`), each carrying a unique token (`zq00042xx`) so that no two rules are the same
/// and none matches ``SampleMessage``.
enum SpamRules {
    /// Rule templates; `TOKEN` is replaced by the rule's unique token.
    private static let templates = [
        #"dataline /buy cheap (?:viagra|cialis|levitra) online TOKEN/i reject"#,
        #"dataline /you have won \$[0-9,]+ in the TOKEN lottery/i reject 550 "5.7.1 Lottery spam""#,
        #"dataline /https?:\/\/[a-z0-9.-]+\.TOKEN\.(?:ru|cn|top|xyz)\b/i reject"#,
        #"dataline /\bclaim your (?:free|exclusive) gift card TOKEN\b/ reject"#,
        #"dataline /^Subject: .*urgent wire transfer TOKEN/ tempfail"#,
        #"dataline /(?:dear|attention) (?:beneficiary|winner),? ref TOKEN/i reject"#,
        #"dataline /increase your (?:income|revenue) by [0-9]+% TOKEN/ reject"#,
        #"dataline /bitcoin wallet [13][a-km-zA-HJ-NP-Z1-9]{25,34} TOKEN/ disconnect"#,
        #"dataline /unsubscribe here: TOKEN@[a-z]+\.example/i reject"#,
        #"dataline /limited[ -]time offer.{0,20}TOKEN/i reject 554 "5.7.1 Offer rejected""#,
        #"dataline /casino bonus code TOKEN[0-9]{2}/ reject"#,
        #"dataline /verify your (?:account|password) within [0-9]+ hours TOKEN/i tempfail 451 "4.7.1 Try later""#,
    ]

    /// For each template, a line that it matches; `TOKEN` as in ``templates``.
    private static let matchingLines = [
        "Buy cheap VIAGRA online TOKEN",
        "You have won $1,000,000 in the TOKEN lottery!",
        "Visit http://promo.TOKEN.ru/win today",
        "claim your free gift card TOKEN now",
        "Subject: Re: urgent wire transfer TOKEN",
        "Dear beneficiary, ref TOKEN",
        "increase your income by 300% TOKEN",
        "bitcoin wallet 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 TOKEN",
        "Unsubscribe here: TOKEN@lists.example",
        "Limited-time offer: act now TOKEN",
        "casino bonus code TOKEN42",
        "Verify your account within 24 hours TOKEN",
    ]

    /// How many different templates the rules cycle through.
    static var templateCount: Int { templates.count }

    /// A message line that rule `index` matches (and no rule with another token does).
    static func matchingLine(_ index: Int) -> String {
        matchingLines[index % matchingLines.count].replacing("TOKEN", with: token(index))
    }

    /// The unique token of rule `index`: `zq`, five digits, `xx`.
    static func token(_ index: Int) -> String {
        let digits = String(index)
        return "zq" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "xx"
    }

    /// The text of rule `index` (cycling through the templates).
    static func rule(_ index: Int) -> String {
        rule(template: index % templates.count, token: token(index))
    }

    /// The text of template `template` with `token` (for rules files of other shapes too).
    static func rule(template: Int, token: String) -> String {
        templates[template].replacing("TOKEN", with: token)
    }

    /// A line that template `template` with `token` matches.
    static func matchingLine(template: Int, token: String) -> String {
        matchingLines[template].replacing("TOKEN", with: token)
    }

    /// A rules file of `count` distinct dataline rules (a comment only when `count` is 0).
    static func file(count: Int) -> String {
        var text = "# filter-bench: \(count) dataline rules that do not match the benchmark's messages\n"
        for index in 0..<count { text += rule(index) + "\n" }
        return text
    }
}
