/// The 16-byte header in front of every imsg frame, in host byte order.
public struct IMSGHeader: Equatable, Sendable {
    /// Size of the encoded header in bytes.
    public static let size = 16
    /// Largest frame (header included) the reader accepts: imsg's MAX_IMSGSIZE.
    public static let maximumFrameSize = 16384
    /// Flag bit saying that a descriptor belongs to this frame (IMSGF_HASFD).
    public static let hasDescriptorFlag: UInt16 = 1

    /// Message type; its meaning depends on the API spoken on the channel.
    public var type: UInt32
    /// Length of the whole frame, header included.
    public var length: UInt16
    /// Flags; only ``hasDescriptorFlag`` is defined.
    public var flags: UInt16
    /// Peer id; 0 in everything the filter and table APIs send.
    public var peerID: UInt32
    /// Process id of the sender.
    public var pid: UInt32

    /// Creates a header from its fields.
    public init(type: UInt32, length: UInt16, flags: UInt16 = 0, peerID: UInt32 = 0, pid: UInt32 = 0) {
        self.type = type
        self.length = length
        self.flags = flags
        self.peerID = peerID
        self.pid = pid
    }

    /// Whether the frame announces an attached descriptor.
    public var hasDescriptor: Bool { flags & Self.hasDescriptorFlag != 0 }

    /// Decodes a header from the first 16 bytes of `bytes`, or returns nil when fewer arrived.
    public init?(decoding bytes: ArraySlice<UInt8>) {
        guard bytes.count >= Self.size else { return nil }
        var reader = PayloadReader(bytes.prefix(Self.size), context: "imsg header")
        guard let type = try? reader.readUInt32(),
            let length = try? reader.readUInt16(),
            let flags = try? reader.readUInt16(),
            let peerID = try? reader.readUInt32(),
            let pid = try? reader.readUInt32()
        else { return nil }
        self.init(type: type, length: length, flags: flags, peerID: peerID, pid: pid)
    }

    /// Appends the 16 encoded bytes to `buffer`.
    public func encode(into buffer: inout [UInt8]) {
        var writer = PayloadWriter()
        writer.appendUInt32(type)
        writer.appendUInt16(length)
        writer.appendUInt16(flags)
        writer.appendUInt32(peerID)
        writer.appendUInt32(pid)
        buffer.append(contentsOf: writer.bytes)
    }
}
