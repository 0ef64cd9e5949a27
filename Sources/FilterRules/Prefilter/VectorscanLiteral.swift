/// One literal of a rule's ``RequiredLiterals`` as Vectorscan's literal mode compiles it:
/// the bytes, whether in any ASCII case, and the id its matches report (the rule's position
/// in its stage; a rule with several alternatives has several literals of one id).
struct VectorscanLiteral: Sendable, Hashable {
    /// The literal's bytes (any byte, NUL included, since literal mode takes lengths).
    var bytes: [UInt8]
    /// Whether it is found in any ASCII case (`HS_FLAG_CASELESS`).
    var isCaseless: Bool
    /// What a match of it reports.
    var id: UInt32
}
