/// Cuts decoded text into lines: at each LF, a CR before it dropped; a line longer than
/// `maximum` bytes is passed on in pieces of `maximum` (so memory stays bounded when decoded
/// text has no line breaks).
struct LineAssembler {
    /// The longest line passed on.
    let maximum: Int
    private var current: [UInt8] = []
    /// Whether a line was cut at ``maximum`` since the last ``takeCut()``.
    private(set) var cut = false

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Appends `text`, passing each complete line to `emit`.
    mutating func append(_ text: [UInt8], emit: ([UInt8]) -> Void) {
        var start = 0
        let count = text.count
        while start < count {
            guard let newline = text[start...].firstIndex(of: 0x0a) else {
                appendPiece(text[start...], emit: emit)
                return
            }
            appendPiece(text[start..<newline], emit: emit)
            if current.last == 0x0d { current.removeLast() }
            emit(current)
            current.removeAll(keepingCapacity: true)
            start = newline + 1
        }
    }

    /// The end of the text: a last line without a line break is passed on.
    mutating func finish(emit: ([UInt8]) -> Void) {
        if current.last == 0x0d { current.removeLast() }
        if !current.isEmpty { emit(current) }
        current = []
    }

    /// Whether a line was cut since the last call (and forgets it).
    mutating func takeCut() -> Bool {
        defer { cut = false }
        return cut
    }

    /// How many bytes the line under way holds, and has room for.
    var storage: (count: Int, capacity: Int) { (current.count, current.capacity) }

    private mutating func appendPiece(_ piece: ArraySlice<UInt8>, emit: ([UInt8]) -> Void) {
        var piece = piece
        while piece.count > maximum - current.count {
            let room = maximum - current.count
            current.append(contentsOf: piece.prefix(room))
            piece = piece.dropFirst(room)
            cut = true
            emit(current)
            current.removeAll(keepingCapacity: true)
        }
        current.append(contentsOf: piece)
    }
}
