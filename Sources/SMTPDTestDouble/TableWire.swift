// The daemon side's byte layouts of the table API 2, written from docs/protocol
// (table-api2.md, imsg-framing.md) independently of the OpenSMTPD library, so that tests check
// the library against the protocol notes rather than against itself.

/// Table API 2 constants and payload builders, as smtpd/table_proc.c writes them.
public enum TableWire {
    /// PROC_TABLE_API_VERSION.
    public static let version: UInt32 = 2
    /// Size of `char name[LINE_MAX]` in `struct table_open_params` on Linux.
    public static let nameSize = 2048

    /// Message types (`enum table_proc_type`).
    public enum MessageType: UInt32, Sendable {
        /// PROC_TABLE_OK: the only reply type the daemon accepts.
        case ok = 0
        /// PROC_TABLE_FAIL: the daemon exits when it gets it.
        case fail
        /// PROC_TABLE_OPEN.
        case open
        /// PROC_TABLE_CLOSE.
        case close
        /// PROC_TABLE_UPDATE.
        case update
        /// PROC_TABLE_CHECK.
        case check
        /// PROC_TABLE_LOOKUP.
        case lookup
        /// PROC_TABLE_FETCH.
        case fetch
    }

    /// Service bits (`enum table_service`).
    public enum Service: Int32, Sendable, CaseIterable {
        /// K_ALIAS.
        case alias = 0x001
        /// K_DOMAIN.
        case domain = 0x002
        /// K_CREDENTIALS.
        case credentials = 0x004
        /// K_NETADDR.
        case netaddr = 0x008
        /// K_USERINFO.
        case userinfo = 0x010
        /// K_SOURCE.
        case source = 0x020
        /// K_MAILADDR.
        case mailaddr = 0x040
        /// K_ADDRNAME.
        case addrname = 0x080
        /// K_MAILADDRMAP.
        case mailaddrMap = 0x100
        /// K_RELAYHOST.
        case relayHost = 0x200
        /// K_STRING.
        case string = 0x400
    }

    /// `struct table_open_params`: u32 version, then the name NUL-padded to 2048 bytes.
    public static func openPayload(version: UInt32 = version, name: String) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(version)
        let content = Array(name.utf8.prefix(nameSize - 1))
        writer.raw(content + [UInt8](repeating: 0, count: nameSize - content.count))
        return writer.bytes
    }

    /// `imsg_add_params`: size_t count, then each key and value NUL-terminated.
    public static func params(_ pairs: [(String, String)]) -> [UInt8] {
        var writer = WireWriter()
        writer.u64(UInt64(pairs.count))
        for (key, value) in pairs {
            writer.string(key)
            writer.string(value)
        }
        return writer.bytes
    }

    /// CHECK and LOOKUP: int service, params, key.
    public static func keyedPayload(service: Int32, params pairs: [(String, String)] = [], key: String) -> [UInt8] {
        var writer = WireWriter()
        writer.int(service)
        writer.raw(params(pairs))
        writer.string(key)
        return writer.bytes
    }

    /// FETCH: int service, params.
    public static func fetchPayload(service: Int32, params pairs: [(String, String)] = []) -> [UInt8] {
        var writer = WireWriter()
        writer.int(service)
        writer.raw(params(pairs))
        return writer.bytes
    }
}
