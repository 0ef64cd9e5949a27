import PCRETable
import Testing

@Suite("Map values with group references")
struct ValueTemplateTests {
    @Test("splits literal text and references; $$ is a dollar sign")
    func parts() throws {
        let template = try ValueTemplate(parsing: "$1@${10}.example $$5 $0")
        #expect(template.parts == [.group(1), .literal("@"), .group(10), .literal(".example $5 "), .group(0)])
        #expect(template.highestGroup == 10)
        #expect(template.references.map(\.group) == [1, 10, 0])
        #expect(template.references.map(\.offset) == [0, 3, 21])
        #expect(template.literalText == nil)
    }

    @Test("a value without references has its literal text")
    func literal() throws {
        let template = try ValueTemplate(parsing: "cost: $$10, ok")
        #expect(template.literalText == "cost: $10, ok")
        #expect(template.highestGroup == nil)
    }

    @Test("Postfix's forms: $N takes every digit, $(N) as ${N}")
    func postfixForms() throws {
        let template = try ValueTemplate(parsing: "$12x$(3)y${4}")
        #expect(template.parts == [.group(12), .literal("x"), .group(3), .literal("y"), .group(4)])
        #expect(template.references.map(\.offset) == [0, 4, 9])
    }

    @Test(
        "bad dollar signs are reported at their offset",
        arguments: [
            ("a$", 1), ("$x", 0), ("ab ${}", 3), ("${1", 0), ("${a}", 0), ("${12345}", 0), ("ok $-1", 3),
            ("$(1}", 0), ("$12345", 0), ("$()", 0),
        ])
    func badDollar(_ text: String, _ offset: Int) {
        #expect(throws: ValueTemplate.SyntaxError(offset: offset, message: "bad '$' in the value, expected $N, ${N}, $(N) or $$")) {
            try ValueTemplate(parsing: text)
        }
    }

    @Test("expansion copies the groups' bytes; unset groups expand to nothing")
    func expand() throws {
        let subject = Array("john.doe@example.org".utf8)
        let groups: [Range<Int>?] = [0..<20, 0..<4, nil, 9..<20]
        #expect(try ValueTemplate(parsing: "$1+$2@$3").expand(subject: subject, groups: groups) == "john+@example.org")
        #expect(try ValueTemplate(parsing: "<$0>").expand(subject: subject, groups: groups) == "<john.doe@example.org>")
        #expect(try ValueTemplate(parsing: "${7}x").expand(subject: subject, groups: groups) == "x")
    }

    @Test("groups that split a character are joined before decoding")
    func splitCharacter() throws {
        let subject = Array("é".utf8)  // 0xC3 0xA9
        let groups: [Range<Int>?] = [0..<2, 0..<1, 1..<2]
        #expect(try ValueTemplate(parsing: "$1$2").expand(subject: subject, groups: groups) == "é")
    }
}
