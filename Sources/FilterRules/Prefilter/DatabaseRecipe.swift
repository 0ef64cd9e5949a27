import CVectorscan

/// What one Vectorscan database is compiled from: regexes (``VectorscanPattern``) or
/// literals (``VectorscanLiteral``). Its ``key`` names it in the disk cache and in memory.
enum DatabaseRecipe: Sendable {
    /// A database of regexes, compiled with `hs_compile_multi`.
    case regexes([VectorscanPattern])
    /// A database of literals, compiled with `hs_compile_lit_multi` (about 50 times faster
    /// to compile than the same set as regexes).
    case literals([VectorscanLiteral])

    /// How many patterns or literals it has.
    var count: Int {
        switch self {
        case .regexes(let patterns): return patterns.count
        case .literals(let literals): return literals.count
        }
    }

    /// What the database stands for: the library version, the kind, every pattern or literal
    /// with its flags and id.
    var key: [UInt8] {
        switch self {
        case .regexes(let patterns):
            // As written before literal databases existed: regex files cached then still load.
            var key = Array("vectorscan \(Vectorscan.version)\n".utf8)
            for pattern in patterns {
                Self.append(UInt64(pattern.id), to: &key)
                Self.append(UInt64(pattern.flags), to: &key)
                Self.append(UInt64(pattern.expression.count), to: &key)
                key += pattern.expression
            }
            return key
        case .literals(let literals):
            var key = Array("vectorscan \(Vectorscan.version) literals\n".utf8)
            for literal in literals {
                Self.append(UInt64(literal.id), to: &key)
                Self.append(literal.isCaseless ? 1 : 0, to: &key)
                Self.append(UInt64(literal.bytes.count), to: &key)
                key += literal.bytes
            }
            return key
        }
    }

    /// Compiles the database.
    /// - Throws: the library's error, naming the pattern it was about when it was one.
    func compile() throws(VectorscanError) -> VectorscanDatabase {
        switch self {
        case .regexes(let patterns): return try VectorscanDatabase(compiling: patterns)
        case .literals(let literals): return try VectorscanDatabase(compiling: literals)
        }
    }

    /// Appends `value` little-endian.
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
