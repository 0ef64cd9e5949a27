import CAres

/// A c-ares query result as a ``DNSAnswer``: records parsed by c-ares's own parsers, a
/// negative answer's TTL from its SOA, and c-ares's status codes as failures.
enum AresAnswer {
    /// Most addresses read from one answer.
    static let maximumAddresses = 64

    static func read(status: Int32, type: DNSRecordType, message: UnsafeBufferPointer<UInt8>) -> DNSAnswer {
        switch status {
        case ARES_SUCCESS:
            return type == .a ? addresses(message) : texts(message)
        case ARES_ENOTFOUND, ARES_ENODATA:
            return .notFound(ttl: DNSMessageTTL.negative(in: message))
        case ARES_ETIMEOUT: return .failed(.timeout)
        case ARES_ESERVFAIL: return .failed(.serverFailure)
        case ARES_EREFUSED: return .failed(.refused)
        case ARES_EBADRESP, ARES_EFORMERR: return .failed(.malformedAnswer)
        case ARES_EDESTRUCTION, ARES_ECANCELLED: return .failed(.shutDown)
        default: return .failed(.other(DNSResolver.text(status)))
        }
    }

    private static func addresses(_ message: UnsafeBufferPointer<UInt8>) -> DNSAnswer {
        guard let base = message.baseAddress else { return .failed(.malformedAnswer) }
        var records = [ares_addrttl](repeating: ares_addrttl(), count: maximumAddresses)
        var count = Int32(maximumAddresses)
        let status = ares_parse_a_reply(base, Int32(message.count), nil, &records, &count)
        switch status {
        case ARES_SUCCESS:
            let found = records.prefix(Int(count))
            // An answer of a CNAME alone parses as success with no address.
            guard !found.isEmpty else { return .notFound(ttl: DNSMessageTTL.negative(in: message)) }
            let ttl = found.map { UInt32(max(0, $0.ttl)) }.min() ?? 0
            return .records(addresses: found.map { UInt32(bigEndian: $0.ipaddr.s_addr) }, texts: [], ttl: ttl)
        case ARES_ENODATA: return .notFound(ttl: DNSMessageTTL.negative(in: message))
        default: return .failed(.malformedAnswer)
        }
    }

    private static func texts(_ message: UnsafeBufferPointer<UInt8>) -> DNSAnswer {
        guard let base = message.baseAddress else { return .failed(.malformedAnswer) }
        var first: UnsafeMutablePointer<ares_txt_ext>?
        let status = ares_parse_txt_reply_ext(base, Int32(message.count), &first)
        defer { if let first { ares_free_data(first) } }
        switch status {
        case ARES_SUCCESS:
            var texts: [[UInt8]] = []
            var next = first
            while let record = next {
                let chunk = record.pointee.txt.map { Array(UnsafeBufferPointer(start: $0, count: record.pointee.length)) } ?? []
                if record.pointee.record_start != 0 || texts.isEmpty { texts.append(chunk) } else { texts[texts.count - 1] += chunk }
                next = record.pointee.next
            }
            guard !texts.isEmpty else { return .notFound(ttl: DNSMessageTTL.negative(in: message)) }
            // c-ares's TXT parser gives no TTL; the records' own is read from the message.
            let ttl = DNSMessageTTL.leastAnswer(in: message) ?? 0
            return .records(addresses: [], texts: texts.map { String(decoding: $0, as: UTF8.self) }, ttl: ttl)
        case ARES_ENODATA: return .notFound(ttl: DNSMessageTTL.negative(in: message))
        default: return .failed(.malformedAnswer)
        }
    }
}
