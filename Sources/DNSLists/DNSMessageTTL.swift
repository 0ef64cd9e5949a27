/// The TTLs c-ares's parsers do not give: how long a negative answer (NXDOMAIN, or NODATA)
/// may be cached, from the SOA record in its authority section (RFC 2308, section 5: the
/// least of the record's TTL and the SOA's minimum field), and the least TTL of an answer's
/// records (c-ares's TXT parser has none).
///
/// Only as much of the message is read as that takes, every length checked against the
/// buffer: a malformed or truncated answer gives nil (the caller then uses its own bound),
/// never a read past the end.
enum DNSMessageTTL {
    /// The least TTL of the records in `message`'s answer section, or nil when it has none
    /// or cannot be read.
    static func leastAnswer(in message: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard message.count >= 12 else { return nil }
        var reader = Reader(bytes: message, offset: 12)
        let questions = Int(message[4]) << 8 | Int(message[5])
        let answers = Int(message[6]) << 8 | Int(message[7])
        for _ in 0..<questions {
            guard reader.skipName(), reader.skip(4) else { return nil }
        }
        var least: UInt32?
        for _ in 0..<answers {
            guard reader.skipName(), reader.skip(4), let ttl = reader.uint32(), let length = reader.uint16(),
                reader.skip(Int(length))
            else { return nil }
            least = min(least ?? ttl, ttl)
        }
        return least
    }

    /// The negative TTL in `message` (a whole DNS message), or nil when it has no SOA in its
    /// authority section or cannot be read.
    static func negative(in message: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard message.count >= 12 else { return nil }
        var reader = Reader(bytes: message, offset: 12)
        let questions = Int(message[4]) << 8 | Int(message[5])
        let answers = Int(message[6]) << 8 | Int(message[7])
        let authorities = Int(message[8]) << 8 | Int(message[9])
        for _ in 0..<questions {
            guard reader.skipName(), reader.skip(4) else { return nil }
        }
        for _ in 0..<answers {
            guard reader.skipName(), reader.skip(8), let length = reader.uint16(), reader.skip(Int(length)) else { return nil }
        }
        for _ in 0..<authorities {
            guard reader.skipName(), let type = reader.uint16(), reader.skip(2), let ttl = reader.uint32(),
                let length = reader.uint16()
            else { return nil }
            let end = reader.offset + Int(length)
            guard end <= message.count else { return nil }
            if type == 6 {
                // SOA: two names, then serial, refresh, retry, expire, minimum (32 bits each).
                guard length >= 22, reader.skipName(), reader.skipName(), reader.offset + 20 <= end else { return nil }
                var minimumReader = Reader(bytes: message, offset: end - 4)
                guard let minimum = minimumReader.uint32() else { return nil }
                return min(ttl, minimum)
            }
            reader.offset = end
        }
        return nil
    }

    /// A cursor over a DNS message.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset: Int

        /// Skips a name: labels up to the root label, or a compression pointer.
        mutating func skipName() -> Bool {
            var labels = 0
            while offset < bytes.count {
                let length = bytes[offset]
                if length == 0 {
                    offset += 1
                    return true
                }
                if length & 0xc0 == 0xc0 { return skip(2) }
                guard length & 0xc0 == 0, labels < 128 else { return false }
                labels += 1
                guard skip(1 + Int(length)) else { return false }
            }
            return false
        }

        mutating func skip(_ count: Int) -> Bool {
            guard offset + count <= bytes.count else { return false }
            offset += count
            return true
        }

        mutating func uint16() -> UInt16? {
            guard offset + 2 <= bytes.count else { return nil }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func uint32() -> UInt32? {
            guard let high = uint16(), let low = uint16() else { return nil }
            return UInt32(high) << 16 | UInt32(low)
        }
    }
}
