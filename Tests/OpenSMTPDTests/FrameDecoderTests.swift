@testable import OpenSMTPD
import Testing

@Suite("imsg frame decoder")
struct FrameDecoderTests {
    static func frameBytes(type: UInt32, payload: [UInt8], flags: UInt16 = 0) -> [UInt8] {
        var header = IMSGHeader(type: type, length: UInt16(16 + payload.count), flags: flags, peerID: 0, pid: 99)
        var bytes: [UInt8] = []
        header.encode(into: &bytes)
        header.length = 0
        return bytes + payload
    }

    @Test("header is 16 bytes in host (little-endian) order")
    func headerLayout() {
        var bytes: [UInt8] = []
        IMSGHeader(type: 0x0102_0304, length: 0x0506, flags: 1, peerID: 0x0708_090a, pid: 0x0b0c_0d0e).encode(into: &bytes)
        #expect(bytes == [0x04, 0x03, 0x02, 0x01, 0x06, 0x05, 0x01, 0x00, 0x0a, 0x09, 0x08, 0x07, 0x0e, 0x0d, 0x0c, 0x0b])
    }

    @Test("frames split into single bytes are reassembled")
    func byteByByte() throws {
        let stream = Self.frameBytes(type: 1, payload: [1, 2, 3]) + Self.frameBytes(type: 2, payload: [])
        var decoder = IMSGFrameDecoder()
        var frames: [IMSGFrame] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        #expect(frames.map(\.type) == [1, 2])
        #expect(frames[0].payload == [1, 2, 3])
        #expect(frames[0].pid == 99)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test("several frames in one read come out in order")
    func severalAtOnce() throws {
        var decoder = IMSGFrameDecoder()
        decoder.append((0..<50).flatMap { Self.frameBytes(type: UInt32($0), payload: [UInt8](repeating: UInt8($0), count: $0)) })
        var types: [UInt32] = []
        while let frame = try decoder.nextFrame() {
            #expect(frame.payload.count == Int(frame.type))
            types.append(frame.type)
        }
        #expect(types == Array(0..<50))
    }

    @Test("descriptors go to flagged frames only, oldest first")
    func descriptorMatching() throws {
        var decoder = IMSGFrameDecoder()
        decoder.append(
            Self.frameBytes(type: 1, payload: []) + Self.frameBytes(type: 3, payload: [], flags: 1) + Self.frameBytes(type: 3, payload: [], flags: 1))
        decoder.appendDescriptor(10)
        decoder.appendDescriptor(11)
        #expect(try decoder.nextFrame()?.descriptor == nil)
        #expect(try decoder.nextFrame()?.descriptor == 10)
        #expect(try decoder.nextFrame()?.descriptor == 11)
    }

    @Test("length out of range and missing descriptors are errors")
    func errors() {
        var short = IMSGFrameDecoder()
        short.append([1, 0, 0, 0, 15, 0, 0, 0] + [UInt8](repeating: 0, count: 8))
        #expect(throws: ProtocolError.frameTooShort(length: 15)) { try short.nextFrame() }
        var long = IMSGFrameDecoder()
        long.append([1, 0, 0, 0, 0x01, 0x40, 0, 0] + [UInt8](repeating: 0, count: 8))
        #expect(throws: ProtocolError.frameTooLong(length: 16385, maximum: 16384)) { try long.nextFrame() }
        var flagged = IMSGFrameDecoder()
        flagged.append(Self.frameBytes(type: 3, payload: [], flags: 1))
        #expect(throws: ProtocolError.missingDescriptor(messageType: 3)) { try flagged.nextFrame() }
    }

    @Test("an encoded frame longer than the maximum is refused")
    func encodeTooLong() {
        #expect(throws: ProtocolError.frameTooLong(length: 16_400, maximum: 16_384)) {
            try IMSGFrame(type: 4, payload: [UInt8](repeating: 0, count: 16_384)).encoded()
        }
    }
}
