import ConfigurationFiles

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded store on disk, so that a restart or an upgrade keeps greylisting's passes,
/// bans and counts: a text file, one key per line after a versioned first line.
///
///     filter-rules state 1
///     L per-client 1765152000123.5 192.0.2.0/24
///     D banned 1765155600000 198.51.100.7
///     G 1765152000000 1767744000000 1767744000000 192.0.2.0/24 alice@example.net bob@example.org
///
/// `L NAME TAT KEY` is a limit's key and its theoretical arrival time, `D NAME EXPIRY KEY`
/// a dynamic list's entry, `G FIRST PASS EXPIRY KEY` a greylisting triplet (`-` for no
/// pass yet); times are milliseconds since the epoch. A key is the rest of the line, with
/// `%`, line breaks and other control bytes as `%XX`. The file is written to a temporary
/// name and renamed, so a reader sees the old file or the new one, never half of one.
enum StateFile {
    /// The first line.
    static let header = "filter-rules state 1"

    /// The store's state as text.
    static func encode(_ snapshot: MemoryStore.Snapshot) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 * (snapshot.limits.values.map(\.count).reduce(0, +) + snapshot.lists.values.map(\.count).reduce(0, +)))
        out += Array((header + "\n").utf8)
        for (name, keys) in snapshot.limits.sorted(by: { $0.key < $1.key }) {
            for (key, tat) in keys { out += Array("L \(name) \(tat) ".utf8) + escaped(key) + [0x0a] }
        }
        for (name, keys) in snapshot.lists.sorted(by: { $0.key < $1.key }) {
            for (key, expiry) in keys { out += Array("D \(name) \(expiry) ".utf8) + escaped(key) + [0x0a] }
        }
        for (key, entry) in snapshot.greylist {
            let pass = entry.passUntil.map(String.init) ?? "-"
            out += Array("G \(entry.firstSeen) \(pass) \(entry.expiry) ".utf8) + escaped(key) + [0x0a]
        }
        return out
    }

    /// The state in `bytes`; an error names the first line that is not one.
    static func decode(_ bytes: [UInt8]) throws(StateFileError) -> MemoryStore.Snapshot {
        var snapshot = MemoryStore.Snapshot()
        let lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == header else {
            let found = lines.first.map { String(decoding: $0.prefix(40), as: UTF8.self) } ?? ""
            if found.hasPrefix("filter-rules state ") { throw .otherVersion(found) }
            throw .corrupt(line: 1, "expected '\(header)'")
        }
        guard bytes.last == 0x0a else { throw .corrupt(line: lines.count, "cut short (no final line feed)") }
        for (index, line) in lines.dropFirst().dropLast().enumerated() {
            let number = index + 2
            let fields = line.split(separator: 0x20, maxSplits: line.first == UInt8(ascii: "G") ? 4 : 3, omittingEmptySubsequences: false)
            func text(_ field: Int) -> String { String(decoding: fields[field], as: UTF8.self) }
            switch (fields.first.map(Array.init), fields.count) {
            case ([UInt8(ascii: "L")], 4):
                guard let tat = Double(text(2)), tat.isFinite, let key = unescaped(fields[3]) else { throw .corrupt(line: number, "bad limit entry") }
                snapshot.limits[text(1), default: [:]][key] = tat
            case ([UInt8(ascii: "D")], 4):
                guard let expiry = Int64(text(2)), let key = unescaped(fields[3]) else { throw .corrupt(line: number, "bad list entry") }
                snapshot.lists[text(1), default: [:]][key] = expiry
            case ([UInt8(ascii: "G")], 5):
                guard let firstSeen = Int64(text(1)), let expiry = Int64(text(3)), let key = unescaped(fields[4]) else {
                    throw .corrupt(line: number, "bad greylisting entry")
                }
                let pass = text(2) == "-" ? nil : Int64(text(2))
                if text(2) != "-" && pass == nil { throw .corrupt(line: number, "bad greylisting entry") }
                var entry = GreylistEntry(firstSeen: firstSeen, passUntil: pass)
                entry.expiry = expiry
                snapshot.greylist[key] = entry
            default:
                throw .corrupt(line: number, "expected an L, D or G entry")
            }
        }
        return snapshot
    }

    /// Writes `bytes` to `path` through a temporary file in the same directory, flushed and
    /// renamed over it.
    static func write(_ bytes: [UInt8], to path: String) throws(StateFileError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unwritable(path, errorText()) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let why = errorText()
                close(fd)
                unlink(temporary)
                throw .unwritable(path, why)
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            let why = errorText()
            close(fd)
            unlink(temporary)
            throw .unwritable(path, why)
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let why = errorText()
            unlink(temporary)
            throw .unwritable(path, why)
        }
    }

    /// The bytes of `path` (read as configuration files are: a FIFO or directory in its
    /// place is refused, never waited on); nil when there is no such file.
    static func read(_ path: String) throws(StateFileError) -> [UInt8]? {
        do {
            return try FileBytes.read(path: path)
        } catch {
            if case .system(let code) = error, code == ENOENT { return nil }
            throw .unreadable(path, error.message)
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }

    /// `key` with `%`, blanks and control bytes as `%XX` (a key ends its line).
    static func escaped(_ key: String) -> [UInt8] {
        var out: [UInt8] = []
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in key.utf8 {
            if byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "%") {
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]]
            } else {
                out.append(byte)
            }
        }
        return out
    }

    /// The key of an escaped field, nil when an escape is malformed.
    static func unescaped(_ field: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var index = field.startIndex
        while index < field.endIndex {
            let byte = field[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < field.endIndex,
                    let value = UInt8(String(decoding: field[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
                else { return nil }
                out.append(value)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why the state file could not be read or written.
public enum StateFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// It could not be opened or read.
    case unreadable(String, String)
    /// A line is not what the format says.
    case corrupt(line: Int, String)
    /// It was written by another version of the format.
    case otherVersion(String)
    /// It could not be written.
    case unwritable(String, String)

    /// The reason in a few words.
    public var description: String {
        switch self {
        case .unreadable(let path, let why): return "\(path): \(why)"
        case .corrupt(let line, let why): return "line \(line): \(why)"
        case .otherVersion(let header): return "written in another format ('\(header)')"
        case .unwritable(let path, let why): return "\(path) cannot be written: \(why)"
        }
    }
}
