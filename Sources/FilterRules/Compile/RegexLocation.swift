import ConfigurationFiles

extension RuleTerm {
    /// Where the character at UTF-8 offset `offset` of the term's regex was written: on the
    /// rule's line, or on the continuation line it went on to. Nil for other patterns.
    func regexLocation(atUTF8Offset offset: Int) -> SourceLocation? {
        guard case .regex(let source, _, let location) = pattern else { return nil }
        let characters = ConfigurationText.characterCount(ofUTF8Prefix: offset, in: source)
        var at = location
        var base = 0
        for continuation in regexContinuations where continuation.offset <= characters {
            at = continuation.location
            base = continuation.offset
        }
        at.column += characters - base
        return at
    }
}

extension Rule {
    /// Where the character at UTF-8 offset `offset` of the rule's (first term's) regex was
    /// written. Nil for an address block or a list.
    func regexLocation(atUTF8Offset offset: Int) -> SourceLocation? {
        terms[0].regexLocation(atUTF8Offset: offset)
    }
}
