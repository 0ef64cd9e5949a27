/// One part of a stage's regex rules, compiled as a database of its own: parts compile in
/// parallel, go live one by one, and a reload reuses every part whose patterns did not
/// change.
///
/// Parts are cut by content (``split(_:)``): a part ends after a pattern whose hash is a
/// multiple of the target size, as rsync and backup tools cut files into chunks. Adding,
/// changing or removing one rule therefore changes one part (or two, where it moves a
/// cut), and the others keep their patterns. Ids inside a part are local (0, 1, 2...) and
/// mapped to the rules' positions when scanned, so a rule inserted earlier in the file,
/// which moves every later position, does not change later parts.
struct RegexPart: Sendable {
    /// The patterns, each with its index in the part as id.
    var patterns: [VectorscanPattern]
    /// The stage position of each pattern's rule, by local id.
    var positions: [UInt32]

    /// Sets of this many patterns or fewer are one part. Every part is one more scan of
    /// each input: in filter-bench cold, 200 rules without literals in 4 parts left 0.44 of
    /// the 0-rule filter's lines/s after the build, in 1 part 0.80.
    static let smallestSplit = 256
    /// The most parts a set is cut into on average.
    static let partsPerSet = 4

    /// `patterns` (ids are positions, ascending) cut into parts.
    static func split(_ patterns: [VectorscanPattern]) -> [RegexPart] {
        guard patterns.count > smallestSplit else { return patterns.isEmpty ? [] : [RegexPart(patterns)] }
        // A power of two, so that the cuts stay where they are while the set grows or
        // shrinks a little; at most four times that in one part.
        var target = 16
        while target * partsPerSet < patterns.count { target *= 2 }
        let longest = target * 4
        var parts: [RegexPart] = []
        var current: [VectorscanPattern] = []
        for pattern in patterns {
            current.append(pattern)
            if pattern.contentHash % UInt64(target) == 0 || current.count >= longest {
                parts.append(RegexPart(current))
                current = []
            }
        }
        if !current.isEmpty { parts.append(RegexPart(current)) }
        return parts
    }

    /// A part of `patterns` (ids are positions).
    init(_ patterns: [VectorscanPattern]) {
        positions = patterns.map(\.id)
        self.patterns = patterns.enumerated().map { index, pattern in
            var local = pattern
            local.id = UInt32(index)
            return local
        }
    }

    /// Removes the pattern at `index` (Vectorscan refused it in this part), renumbering the
    /// others; its rule's position.
    mutating func giveUp(patternAt index: Int) -> Int {
        let position = Int(positions.remove(at: index))
        patterns.remove(at: index)
        for later in index..<patterns.count { patterns[later].id = UInt32(later) }
        return position
    }
}

extension VectorscanPattern {
    /// A hash of the expression and flags (FNV-1a), not of the id: where parts are cut.
    var contentHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in expression { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ UInt64(flags)) &* 0x100_0000_01b3
        // FNV's low bits mix poorly; fold the high half in.
        return hash ^ (hash >> 29)
    }
}
