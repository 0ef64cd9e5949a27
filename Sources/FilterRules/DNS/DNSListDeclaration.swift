import ConfigurationFiles
import DNSLists

/// A `dnslist NAME ZONE [CODES...]` line: the list, and where it was declared.
public struct DNSListDeclaration: Hashable, Sendable {
    /// The list.
    public var list: DNSList
    /// Where its `dnslist` keyword is.
    public var location: SourceLocation

    /// A declaration of `list` at `location`.
    public init(list: DNSList, location: SourceLocation) {
        self.list = list
        self.location = location
    }

    /// The stages whose input a `listed` term can look up: the client address, the
    /// reverse DNS name, the HELO name and the sender's domain, and in the message a
    /// header's domains (`header NAME listed`) and the link hosts (`body links listed`).
    public static let stages: [Stage] = [.addr, .connect, .helo, .mail, .header, .body]

    /// What a `listed NAME` term of `stage` looks up: `value` as an address at `addr`, as a
    /// domain elsewhere (at `mail`, the part after the last `@`; nothing for the null sender).
    public static func subject(at stage: Stage, _ value: String) -> DNSListSubject? {
        switch stage {
        case .addr: return .address(value)
        case .connect, .helo: return .domain(value)
        case .mail:
            guard let at = value.lastIndex(of: "@") else { return nil }
            return .domain(String(value[value.index(after: at)...]))
        default: return nil
        }
    }
}
