/// The words of a line as both formats split it: runs of characters between spaces and tabs.
enum LineWords {
    /// The offset ranges of the words of `line`, in order.
    static func ranges(_ line: [Character]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var index = 0
        while index < line.count {
            if line[index] == " " || line[index] == "\t" {
                index += 1
                continue
            }
            let start = index
            while index < line.count && line[index] != " " && line[index] != "\t" { index += 1 }
            words.append(start..<index)
        }
        return words
    }
}
