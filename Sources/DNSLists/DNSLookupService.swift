/// Something that answers DNS lookups: the live ``DNSResolver``, or a ``DNSAnswerFile`` for
/// dry-runs that must not depend on the network.
public protocol DNSLookupService: Sendable {
    /// Looks `name` up for records of `type`; `completion` gets the answer once, on any
    /// thread, within the service's own time bound.
    func lookup(_ name: String, _ type: DNSRecordType, completion: @escaping @Sendable (DNSAnswer) -> Void)
}

extension DNSResolver: DNSLookupService {}
