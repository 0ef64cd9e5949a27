/// One imsg message: a type, a payload and, for some types, a descriptor.
public struct IMSGFrame: Equatable, Sendable {
    /// Message type; its meaning depends on the API spoken on the channel.
    public var type: UInt32
    /// The payload bytes after the header.
    public var payload: [UInt8]
    /// The descriptor attached to the frame, if any. The receiver owns it.
    public var descriptor: Int32?
    /// Peer id from the header (ignored on receipt, 0 when sending).
    public var peerID: UInt32
    /// Process id from the header.
    public var pid: UInt32

    /// Creates a frame.
    public init(type: UInt32, payload: [UInt8] = [], descriptor: Int32? = nil, peerID: UInt32 = 0, pid: UInt32 = 0) {
        self.type = type
        self.payload = payload
        self.descriptor = descriptor
        self.peerID = peerID
        self.pid = pid
    }

    /// Encodes header and payload (the descriptor travels beside the bytes).
    ///
    /// - Throws: ``ProtocolError/frameTooLong(length:maximum:)`` when the frame would not fit.
    public func encoded() throws(ProtocolError) -> [UInt8] {
        let length = IMSGHeader.size + payload.count
        guard length <= IMSGHeader.maximumFrameSize else {
            throw .frameTooLong(length: length, maximum: IMSGHeader.maximumFrameSize)
        }
        let header = IMSGHeader(
            type: type,
            length: UInt16(length),
            flags: descriptor == nil ? 0 : IMSGHeader.hasDescriptorFlag,
            peerID: peerID,
            pid: pid
        )
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        header.encode(into: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }
}
