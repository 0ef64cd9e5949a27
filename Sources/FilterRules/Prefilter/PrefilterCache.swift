#if canImport(Glibc)
    import ConfigurationFiles
    import Glibc
#endif

/// Compiled prefilter databases on disk, so that a restart or reload with unchanged rules
/// does not compile again. One file per database, named by a hash of the library version
/// and the patterns (expressions, flags, ids); the file repeats that key text in full and a
/// checksum of the database, so a hash collision, another library version, a truncated or
/// corrupt file is detected and ignored (and rebuilt). The directory must belong to this
/// user and be writable by no one else; files are written under a temporary name of their
/// own and renamed, mode 0600; temporary files left by a filter stopped while writing are
/// removed, ten minutes old, when the cache is opened and after each write. Only regular
/// files of this user are read: anything else found at a database's path (a FIFO would
/// block the reader) is refused without waiting, and rebuilt; so is a file larger than a
/// database of its patterns can be, by its size, unread. The newest ``keptFiles`` files
/// are kept: enough for several rule sets of a literal database and a few dozen regex
/// parts per stage each.
public struct PrefilterCache: Sendable {
    /// The directory.
    public let directory: String

    /// How many database files the directory keeps (the least recently used are removed).
    public static let keptFiles = 256

    /// The file format's first line.
    static let magic = Array("filter-rules prefilter cache 1\n".utf8)

    /// The cache in `directory`, created (mode 0700) when missing; the reason when it is not
    /// safe to use: not a directory, a symbolic link, another owner, writable by others.
    public static func open(_ directory: String) -> Result<PrefilterCache, CacheFailure> {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            return .failure(CacheFailure("cannot create \(directory): \(String(cString: strerror(errno)))"))
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else {
            return .failure(CacheFailure("cannot read \(directory): \(String(cString: strerror(errno)))"))
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { return .failure(CacheFailure("\(directory) is not a directory")) }
        guard status.st_uid == geteuid() else {
            return .failure(CacheFailure("\(directory) belongs to uid \(status.st_uid), not to this user (uid \(geteuid()))"))
        }
        guard status.st_mode & 0o022 == 0 else {
            return .failure(CacheFailure("\(directory) is writable by others (mode \(String(status.st_mode & 0o777, radix: 8)))"))
        }
        let cache = PrefilterCache(directory: directory)
        cache.removeOldFiles()
        return .success(cache)
    }

    /// The system's cache directory: root's, and that of the user smtpd runs filters as when
    /// it belongs to that user (the Debian package makes it for `opensmtpd`, mode 0700).
    public static let systemDirectory = "/var/cache/filter-rules"

    /// The directory serve uses unless told otherwise: `$XDG_CACHE_HOME/filter-rules` when
    /// XDG_CACHE_HOME is set, else `systemDirectory` for root or when it belongs to this user,
    /// else `$HOME/.cache/filter-rules`; when that cannot be used,
    /// `/tmp/filter-rules-cache-UID`. Nil, with the reasons, when neither can.
    public static func standard(
        environment: [String: String],
        systemDirectory: String = PrefilterCache.systemDirectory
    ) -> Result<PrefilterCache, CacheFailure> {
        var first: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            first = xdg + "/filter-rules"
        } else if geteuid() == 0 || belongsToThisUser(systemDirectory) {
            first = systemDirectory
        } else if let home = environment["HOME"], home.hasPrefix("/") {
            first = home + "/.cache"
            _ = mkdir(first, 0o700)
            first += "/filter-rules"
        } else {
            first = ""
        }
        var reasons: [String] = []
        for directory in [first, "/tmp/filter-rules-cache-\(geteuid())"] where !directory.isEmpty {
            switch open(directory) {
            case .success(let cache): return .success(cache)
            case .failure(let failure): reasons.append(failure.reason)
            }
        }
        return .failure(CacheFailure(reasons.joined(separator: "; ")))
    }

    /// Whether `directory` is a directory (not a link) of this user.
    private static func belongsToThisUser(_ directory: String) -> Bool {
        var status = stat()
        return lstat(directory, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR && status.st_uid == geteuid()
    }

    /// Why a cache directory or file cannot be used.
    public struct CacheFailure: Error, Sendable {
        /// The reason.
        public var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// What looking a database up came to.
    enum Lookup {
        case found(VectorscanDatabase)
        case missing
        case unusable(String)
    }

    /// The cached database of `patterns`.
    func load(_ patterns: [VectorscanPattern]) -> Lookup { load(.regexes(patterns)) }

    /// The cached database of `recipe`.
    func load(_ recipe: DatabaseRecipe) -> Lookup {
        let key = recipe.key
        let path = self.path(for: key)
        // Anything but a regular file of this user is refused unopened, as FileBytes.read
        // refuses configuration files. A FIFO put there after the lstat cannot block the
        // open either (nor every later reload with it): O_NONBLOCK, and the opened file is
        // checked again.
        var status = stat()
        guard lstat(path, &status) == 0 else {
            return errno == ENOENT ? .missing : .unusable("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if let refusal = Self.refusal(of: status, at: path) { return .unusable(refusal) }
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            return errno == ENOENT ? .missing : .unusable("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else {
            return .unusable("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if let refusal = Self.refusal(of: status, at: path) { return .unusable(refusal) }
        // Judged by its size before any of it is read; at most that size is read, so a file
        // growing meanwhile is not read past the limit either.
        let largest = Self.largestFile(key: key, patterns: recipe.count)
        guard status.st_size <= largest else {
            return .unusable(
                "\(path) is \(status.st_size) bytes, more than a database of these \(recipe.count) "
                    + "patterns can be (\(largest)), ignored and rebuilt")
        }
        guard let bytes = Self.readAll(descriptor, size: Int(status.st_size)) else {
            return .unusable("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard let blob = Self.database(in: bytes, key: key) else {
            return .unusable("\(path) is corrupt or for other patterns or another Vectorscan version, rebuilding it")
        }
        do {
            let database = try VectorscanDatabase(deserializing: blob)
            _ = utimes(path, nil)  // recently used
            return .found(database)
        } catch {
            return .unusable("\(path) cannot be loaded (\(error.message)), rebuilding it")
        }
    }

    /// Why the file at `path` with `status` is not read: it is no regular file (a FIFO would
    /// block the reader, a device could be anything) or not this user's; nil when it is.
    private static func refusal(of status: stat, at path: String) -> String? {
        if let kind = FileKind(mode: status.st_mode).unreadableName { return "\(path) is \(kind), not a database, ignored" }
        guard status.st_uid == geteuid() else {
            return "\(path) belongs to uid \(status.st_uid), not to this user (uid \(geteuid())), ignored"
        }
        return nil
    }

    /// Writes `database` for `patterns`; the problem when it could not be written.
    func store(_ database: VectorscanDatabase, for patterns: [VectorscanPattern]) -> String? {
        store(database, for: .regexes(patterns))
    }

    /// Writes `database` for `recipe`; the problem when it could not be written.
    func store(_ database: VectorscanDatabase, for recipe: DatabaseRecipe) -> String? {
        let key = recipe.key
        let blob: [UInt8]
        do { blob = try database.serialized() } catch { return "cannot serialise the database: \(error.message)" }
        let largest = Self.largestDatabase(patterns: recipe.count)
        guard blob.count <= largest else {  // load would refuse it
            return "the database is \(blob.count) bytes, more than the cache reads for \(recipe.count) patterns "
                + "(\(largest)), not cached"
        }
        var file = Self.magic
        Self.append(UInt64(key.count), to: &file)
        Self.append(Self.checksum(blob), to: &file)
        file += key
        file += blob
        let path = self.path(for: key)
        let (temporary, descriptor) = Self.createTemporary(for: path)
        guard descriptor >= 0 else { return "cannot write \(temporary): \(String(cString: strerror(errno)))" }
        let written = Self.writeAll(file, to: descriptor)
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return "cannot write \(path): \(reason)"
        }
        removeOldFiles()
        return nil
    }

    /// The file of `key`: a 128-bit hash of it (two FNV-1a hashes), hex.
    func path(for key: [UInt8]) -> String {
        let first = Self.fnv1a(key, seed: 0xcbf2_9ce4_8422_2325)
        let second = Self.fnv1a(key, seed: 0x84222325_cbf29ce4)
        return directory + "/" + first.sixteenHexDigits + second.sixteenHexDigits + ".hsdb"
    }

    /// What a database file stands for: the library version and every pattern.
    static func key(_ patterns: [VectorscanPattern]) -> [UInt8] { DatabaseRecipe.regexes(patterns).key }

    /// The most bytes a serialised database of `patterns` patterns is taken to have; a
    /// larger file is not read. Generous: 64 MiB, plus 16 KiB a pattern, but no more than
    /// Vectorscan builds (1 GiB, `limitEngineSize` in Hyperscan's src/grey.cpp) and 1 MiB
    /// to spare for the serialisation's header. Measured with Vectorscan 5.4.9: 1 KB to
    /// 29 KB for one pattern (125 KB for `[a-z]{5000}x`), about 340 bytes a pattern for
    /// 10,000 spam rules (3.4 MB), at most 3 KB a pattern for sets of repeats, classes, `.*`.
    static func largestDatabase(patterns: Int) -> Int {
        min((64 << 20) + patterns * (16 << 10), (1 << 30) + (1 << 20))
    }

    /// The most bytes a file of `key` and a database of `patterns` patterns can have.
    static func largestFile(key: [UInt8], patterns: Int) -> Int {
        magic.count + 16 + key.count + largestDatabase(patterns: patterns)
    }

    /// The serialised database in a file's `bytes` when the file is whole and for `key`.
    static func database(in bytes: [UInt8], key: [UInt8]) -> [UInt8]? {
        let header = magic.count + 16
        guard bytes.count >= header, bytes.starts(with: magic) else { return nil }
        let keyLength = number(bytes, at: magic.count)
        let sum = number(bytes, at: magic.count + 8)
        guard keyLength == UInt64(key.count), bytes.count >= header + key.count,
            bytes[header..<(header + key.count)].elementsEqual(key)
        else { return nil }
        let blob = Array(bytes[(header + key.count)...])
        return !blob.isEmpty && checksum(blob) == sum ? blob : nil
    }

    /// A new file to write the database of `path` in, open for writing, and its name:
    /// `path.PID.RANDOM.tmp`, mode 0600. Its name is no other writer's (64 random bits after
    /// the pid), and O_EXCL makes sure: a name that exists anyway is passed over. The
    /// descriptor is -1 (errno set) when none could be made.
    private static func createTemporary(for path: String) -> (path: String, descriptor: Int32) {
        var name = ""
        for _ in 0..<8 {
            name = "\(path).\(getpid()).\(UInt64.random(in: .min ... .max).sixteenHexDigits).tmp"
            let descriptor = Glibc.open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if descriptor >= 0 || errno != EEXIST { return (name, descriptor) }
        }
        return (name, -1)
    }

    /// How many seconds a temporary file must be old to be taken for one left by a filter
    /// stopped while writing it, and removed. By age, not by whether its pid runs: pids are
    /// reused, and a filter in another pid namespace (a container sharing the directory)
    /// has pids this one cannot see. A database is written in seconds at most, so ten
    /// minutes is generous; a file dated as far ahead (a clock set back) is stale too. A
    /// writer whose file was removed all the same fails to rename it and says so.
    private static let staleTemporaryAge = 600

    /// Whether `name` is that of one of this cache's temporary files: the database's name,
    /// then anything (`PID.RANDOM`, or `PID` as written before), then `.tmp`.
    private static func isTemporary(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 4 && parts[0].count == 32 && parts[0].allSatisfy(\.isHexDigit)
            && parts[1] == "hsdb" && parts.last == "tmp"
    }

    /// Removes stale temporary files (``staleTemporaryAge``) and the least recently used
    /// databases beyond ``keptFiles``.
    private func removeOldFiles() {
        guard let listing = opendir(directory) else { return }
        var databases: [(name: String, time: Int)] = []
        var stale: [String] = []
        let now = Int(time(nil))
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let isDatabase = name.hasSuffix(".hsdb")
            guard isDatabase || Self.isTemporary(name) else { continue }
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0 else { continue }
            let modified = Int(status.st_mtim.tv_sec)
            if isDatabase {
                databases.append((name, modified))
            } else if status.st_mode & S_IFMT == S_IFREG, abs(now - modified) >= Self.staleTemporaryAge {
                stale.append(name)
            }
        }
        closedir(listing)
        for name in stale { unlink(directory + "/" + name) }
        guard databases.count > Self.keptFiles else { return }
        for file in databases.sorted(by: { $0.time > $1.time }).dropFirst(Self.keptFiles) { unlink(directory + "/" + file.name) }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt64 { fnv1a(bytes, seed: 0xcbf2_9ce4_8422_2325) }

    private static func fnv1a(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func number(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64($1 * 8) }
    }

    /// At most `size` bytes from `descriptor`, fewer when the file ends first; nil when a
    /// read fails.
    private static func readAll(_ descriptor: Int32, size: Int) -> [UInt8]? {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, filled in
            filled = 0
            while filled < size {
                let count = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if count < 0 && errno == EINTR { continue }
                if count < 0 { failed = true; return }
                if count == 0 { return }
                filled += count
            }
        }
        return failed ? nil : bytes
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }
}
