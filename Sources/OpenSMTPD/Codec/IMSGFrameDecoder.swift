/// Cuts a byte stream into imsg frames and matches received descriptors to the frames
/// flagged for them.
///
/// Bytes may arrive split anywhere and several frames may arrive at once. Descriptors are
/// queued in arrival order; a flagged frame takes the oldest one, as imsg does.
public struct IMSGFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var descriptors: [Int32] = []

    /// Creates an empty decoder.
    public init() {}

    /// Number of bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Descriptors received but not yet attached to a frame.
    public var pendingDescriptors: [Int32] { descriptors }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds a descriptor received with the bytes.
    public mutating func appendDescriptor(_ descriptor: Int32) {
        descriptors.append(descriptor)
    }

    /// Removes and returns every descriptor not attached to a frame (to close them).
    public mutating func takePendingDescriptors() -> [Int32] {
        defer { descriptors.removeAll() }
        return descriptors
    }

    /// Returns the next complete frame, or nil when more bytes are needed.
    ///
    /// - Throws: ``ProtocolError`` for a length outside 16...16384 or a flagged frame
    ///   without a descriptor.
    public mutating func nextFrame() throws(ProtocolError) -> IMSGFrame? {
        let available = buffer.count - readIndex
        guard let header = IMSGHeader(decoding: buffer[readIndex...]) else { return nil }
        let length = Int(header.length)
        if length < IMSGHeader.size {
            throw .frameTooShort(length: length)
        }
        if length > IMSGHeader.maximumFrameSize {
            throw .frameTooLong(length: length, maximum: IMSGHeader.maximumFrameSize)
        }
        guard available >= length else { return nil }
        var descriptor: Int32?
        if header.hasDescriptor {
            guard !descriptors.isEmpty else { throw .missingDescriptor(messageType: header.type) }
            descriptor = descriptors.removeFirst()
        }
        let payload = Array(buffer[readIndex + IMSGHeader.size..<readIndex + length])
        readIndex += length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 65536 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        return IMSGFrame(type: header.type, payload: payload, descriptor: descriptor, peerID: header.peerID, pid: header.pid)
    }
}
