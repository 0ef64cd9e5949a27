@testable import OpenSMTPD
import Testing

@Suite("Message data processor")
struct MessageDataProcessorTests {
    func run(_ chunks: [[UInt8]], limit: Int = 1 << 20, handler: @escaping (DataLine) -> DataLineOutput = { _ in .unchanged }) -> (
        output: [UInt8], processor: MessageDataProcessor, seen: [DataLine]
    ) {
        var processor = MessageDataProcessor(maximumLineLength: limit)
        var output: [UInt8] = []
        var seen: [DataLine] = []
        let record: (DataLine) -> DataLineOutput = { line in
            seen.append(line); return handler(line)
        }
        for chunk in chunks {
            chunk.withUnsafeBytes { processor.consume($0, into: &output, handler: record) }
        }
        processor.finish(into: &output, handler: record)
        return (output, processor, seen)
    }

    @Test("lines split across chunks are delivered whole, output unchanged")
    func splitLines() {
        let result = run([Array("He".utf8), Array("llo\nwor".utf8), Array("ld\n\nlast".utf8)])
        #expect(result.seen == ["Hello", "world", "", "last"])
        #expect(result.output == Array("Hello\nworld\n\nlast".utf8))
        #expect(result.processor.inputByteCount == 17 && result.processor.outputByteCount == 17)
    }

    @Test("replace, drop and add lines; counts follow the output")
    func edits() {
        let result = run([Array("a\nb\nc\n".utf8)]) { line in
            switch line.text {
            case "a": return .replaced(["A1", "A2"])
            case "b": return .dropped
            default: return .appending(line, ["X-Added: yes"])
            }
        }
        #expect(result.output == Array("A1\nA2\nc\nX-Added: yes\n".utf8))
        #expect(result.processor.outputByteCount == result.output.count)
        #expect(result.processor.inputByteCount == 6)
    }

    @Test("lines over the limit stream through unseen and unchanged")
    func overlong() {
        let long = [UInt8](repeating: 0x41, count: 50)
        let input = Array("short\n".utf8) + long + [0x0a] + Array("tail\n".utf8)
        let result = run(stride(from: 0, to: input.count, by: 7).map { Array(input[$0..<min($0 + 7, input.count)]) }, limit: 10)
        #expect(result.output == input)
        #expect(result.seen == ["short", "tail"])
        #expect(result.processor.overlongLineCount == 1)
    }
}
