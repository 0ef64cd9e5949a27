import Dispatch
import Foundation
import Synchronization
import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// The disk cache of compiled databases: a second build of the same rules loads it; a
/// corrupt file, one for another library version, an unsafe or unwritable directory are
/// reported and the database is built anyway, with the same decisions.
@Suite("Prefilter: disk cache of databases")
struct PrefilterCacheTests {
    static let rules = (0..<40).map(DifferentialFixtures.spamRule).joined(separator: "\n")

    /// A fresh private directory.
    private func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prefilter-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        return path
    }

    /// Compiles the rules with `cache`; returns the set and the reports.
    private func build(_ cache: PrefilterCache?) throws -> (CompiledRuleSet, [PrefilterReport]) {
        let reports = Mutex<[PrefilterReport]>([])
        let set = try RuleSetLoader.compile(
            text: Self.rules, file: "cache.rules",
            matching: .prefiltered(
                PrefilterOptions(cache: cache, report: { report in reports.withLock { $0.append(report) } })))
        set.waitForPrefilters()
        return (set, reports.withLock { $0 })
    }

    private func liveFromCache(_ reports: [PrefilterReport]) -> [Bool] {
        reports.compactMap { if case .live(_, _, _, _, _, let cached) = $0 { return cached } else { return nil } }
    }

    private func cacheProblems(_ reports: [PrefilterReport]) -> [String] {
        reports.compactMap { if case .cacheProblem(let text) = $0 { return text } else { return nil } }
    }

    private func files(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".hsdb") }
    }

    /// Patterns for the tests that use the cache directly, without rules.
    static let patterns = [
        VectorscanPattern(expression: Array("casino bonus code".utf8), flags: 0, id: 0),
        VectorscanPattern(expression: Array("wire transfer [0-9]+".utf8), flags: 0, id: 1),
    ]

    /// `cache.load(patterns)` run on a thread of its own; nil when it has not returned within
    /// `seconds`. A load blocked in opening the FIFO `fifo` is then let go by opening it for
    /// writing once, so that a failing test does not hold the test run.
    private func load(
        _ patterns: [VectorscanPattern], from cache: PrefilterCache, within seconds: Double,
        unblocking fifo: String
    ) -> PrefilterCache.Lookup? {
        let finished = DispatchSemaphore(value: 0)
        let lookup = Mutex<PrefilterCache.Lookup?>(nil)
        Thread.detachNewThread {
            let found = cache.load(patterns)
            lookup.withLock { $0 = found }
            finished.signal()
        }
        guard finished.wait(timeout: .now() + seconds) == .success else {
            let writer = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if writer >= 0 { close(writer) }
            _ = finished.wait(timeout: .now() + seconds)
            return nil
        }
        return lookup.withLock { $0 }
    }

    @Test func aSecondBuildLoadsTheCachedDatabaseAndDecidesTheSame() throws {
        let path = try directory()
        let cache = try PrefilterCache.open(path).get()
        let (_, cold) = try build(cache)
        #expect(liveFromCache(cold) == [false, false])  // dataline and body
        #expect(try files(in: path).count == 2)
        for name in try files(in: path) {
            let mode = try FileManager.default.attributesOfItem(atPath: path + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
        let (warm, again) = try build(cache)
        #expect(liveFromCache(again) == [true, true])
        #expect(cacheProblems(again).isEmpty)
        let plain = try RuleSetLoader.compile(text: Self.rules, file: "cache.rules")
        let line = "casino bonus code zq00005xx42"
        let scratch = MatchScratch()
        #expect(
            warm.matcher(for: .dataline)!.firstMatch(MatchSubject(text: line), scratch: scratch).position
                == plain.matcher(for: .dataline)!.firstMatch(MatchSubject(text: line), scratch: scratch).position)
        #expect(warm.matcher(for: .dataline)!.firstMatch(MatchSubject(text: line), scratch: scratch).position == 5)
    }

    @Test func aCorruptFileIsIgnoredAndRebuilt() throws {
        let path = try directory()
        let cache = try PrefilterCache.open(path).get()
        _ = try build(cache)
        try rewriteEachFile(in: path) { bytes in
            bytes[bytes.count - 100] ^= 0xff  // inside the database
        }
        let (set, reports) = try build(cache)
        #expect(liveFromCache(reports) == [false, false])
        #expect(cacheProblems(reports).count == 2)
        #expect(cacheProblems(reports).allSatisfy { $0.contains("corrupt") })
        #expect(set.prefilteredMatchers.filter { $0.isLive }.count == 2)
        let (_, healed) = try build(cache)
        #expect(liveFromCache(healed) == [true, true])
    }

    @Test func aTruncatedFileIsIgnored() throws {
        let path = try directory()
        let cache = try PrefilterCache.open(path).get()
        _ = try build(cache)
        for name in try files(in: path) { truncate(path + "/" + name, 40) }
        let (_, reports) = try build(cache)
        #expect(liveFromCache(reports) == [false, false])
        #expect(cacheProblems(reports).count == 2)
    }

    @Test func aFIFOInPlaceOfADatabaseIsRefusedWithoutBlocking() throws {
        try #require(Vectorscan.isAvailable)
        let cache = try PrefilterCache.open(try directory()).get()
        let path = cache.path(for: PrefilterCache.key(Self.patterns))
        try #require(mkfifo(path, 0o600) == 0)
        let lookup = load(Self.patterns, from: cache, within: 5, unblocking: path)
        guard case .unusable(let reason)? = lookup else {
            Issue.record("a FIFO at \(path): \(lookup.map { "\($0)" } ?? "the load blocked")")
            return
        }
        #expect(reason.contains("FIFO"))
        // The database built instead replaces the FIFO, and is then found.
        #expect(cache.store(try VectorscanDatabase(compiling: Self.patterns), for: Self.patterns) == nil)
        guard case .found = cache.load(Self.patterns) else {
            Issue.record("the stored database was not found")
            return
        }
    }

    @Test func anOversizedFileIsRefusedUnread() throws {
        let cache = try PrefilterCache.open(try directory()).get()
        let path = cache.path(for: PrefilterCache.key(Self.patterns))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        defer { unlink(path) }
        let size = 3_000_000_000
        let grown = ftruncate(descriptor, off_t(size)) == 0  // sparse: takes no disk space
        close(descriptor)
        try #require(grown)
        let residentBefore = largestResidentBytes()
        let started = Date()
        let lookup = cache.load(Self.patterns)
        guard case .unusable(let reason) = lookup else {
            Issue.record("a \(size)-byte file at \(path): \(lookup)")
            return
        }
        #expect(reason.contains("is \(size) bytes"))
        #expect(Date().timeIntervalSince(started) < 5)  // reading it took 27 s
        #expect(largestResidentBytes() - residentBefore < 256 << 20)  // reading it took 6.3 GB
    }

    /// The most memory this process has held at once (getrusage's ru_maxrss), in bytes.
    private func largestResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    @Test func staleTemporaryFilesAreRemovedAndFreshOnesKept() throws {
        let path = try directory()
        let name = path + "/0123456789abcdef0123456789abcdef.hsdb"
        let stale = [name + ".4242.tmp", name + ".4243.0123456789abcdef.tmp"]  // a filter stopped while writing
        let fresh = name + ".4244.tmp"  // being written now
        let other = path + "/notes.tmp"  // not the cache's
        for file in stale + [other] { try makeFile(file, modifiedSecondsAgo: 3600) }
        try makeFile(fresh, modifiedSecondsAgo: 0)
        let cache = try PrefilterCache.open(path).get()
        #expect(stale.allSatisfy { access($0, F_OK) != 0 })
        #expect(access(fresh, F_OK) == 0)
        #expect(access(other, F_OK) == 0)
        // Old files are pruned after a database is written, stale temporary files with them.
        let later = name + ".4245.tmp"
        try makeFile(later, modifiedSecondsAgo: 3600)
        _ = try build(cache)
        #expect(access(later, F_OK) != 0)
        #expect(access(fresh, F_OK) == 0)
    }

    @Test func aStoreSucceedsBesideATemporaryFileOfThisProcessId() throws {
        try #require(Vectorscan.isAvailable)
        let cache = try PrefilterCache.open(try directory()).get()
        // Left by a filter that had this pid before and stopped while writing.
        try makeFile(cache.path(for: PrefilterCache.key(Self.patterns)) + ".\(getpid()).tmp", modifiedSecondsAgo: 0)
        let problem = cache.store(try VectorscanDatabase(compiling: Self.patterns), for: Self.patterns)
        #expect(problem == nil)
        guard case .found = cache.load(Self.patterns) else {
            Issue.record("the stored database was not found")
            return
        }
    }

    /// Creates an empty file at `path` last modified `seconds` ago.
    /// Reads every file of the cache directory `path`, lets `change` alter its bytes and
    /// writes them back.
    private func rewriteEachFile(in path: String, _ change: (inout [UInt8]) throws -> Void) throws {
        for name in try files(in: path) {
            let file = path + "/" + name
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            try change(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
    }

    private func makeFile(_ path: String, modifiedSecondsAgo seconds: Int) throws {
        try #require(FileManager.default.createFile(atPath: path, contents: Data("partial".utf8)))
        let then = timeval(tv_sec: time(nil) - seconds, tv_usec: 0)
        try #require(utimes(path, [then, then]) == 0)
    }

    @Test func aFileOfAnotherLibraryVersionIsIgnored() throws {
        let path = try directory()
        let cache = try PrefilterCache.open(path).get()
        _ = try build(cache)
        // The key text names the version: rewrite it as another version's would be.
        try rewriteEachFile(in: path) { bytes in
            let version = Array("vectorscan \(Vectorscan.version)".utf8)
            let start = try #require((0..<bytes.count).first { bytes[$0...].starts(with: version) })
            bytes[start + 11] = UInt8(ascii: "9")
        }
        let (set, reports) = try build(cache)
        #expect(liveFromCache(reports) == [false, false])
        #expect(cacheProblems(reports).allSatisfy { $0.contains("another Vectorscan version") })
        #expect(set.prefilteredMatchers.filter { $0.isLive }.count == 2)
    }

    @Test func anUnwritableDirectoryOnlyCostsTheCache() throws {
        let path = try directory()
        let cache = try PrefilterCache.open(path).get()
        chmod(path, 0o500)
        defer { chmod(path, 0o700) }
        let writable = access(path, W_OK) == 0  // root writes anyway; then make it a file instead
        if writable {
            rmdir(path)
            _ = FileManager.default.createFile(atPath: path, contents: Data())
        }
        let (set, reports) = try build(cache)
        #expect(liveFromCache(reports) == [false, false])
        #expect(cacheProblems(reports).count >= 2)
        #expect(cacheProblems(reports).contains { $0.contains("cannot write") })
        #expect(set.prefilteredMatchers.filter { $0.isLive }.count == 2)
        if writable { unlink(path) }
    }

    @Test func unsafeDirectoriesAreRefused() throws {
        let open = try directory()
        chmod(open, 0o777)
        #expect(throws: PrefilterCache.CacheFailure.self) { try PrefilterCache.open(open).get() }
        let link = open + "-link"
        let target = try directory()
        symlink(target, link)
        defer { unlink(link) }
        #expect(throws: PrefilterCache.CacheFailure.self) { try PrefilterCache.open(link).get() }
        let file = open + "/plain"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        #expect(throws: PrefilterCache.CacheFailure.self) { try PrefilterCache.open(file).get() }
        let fresh = try directory() + "/made"
        let made = try PrefilterCache.open(fresh).get()
        let mode = try FileManager.default.attributesOfItem(atPath: made.directory)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func theStandardDirectoryFallsBackToAPrivateOneUnderTmp() throws {
        let file = try directory() + "/not-a-directory"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let cache = try PrefilterCache.standard(environment: ["XDG_CACHE_HOME": file]).get()
        #expect(cache.directory == "/tmp/filter-rules-cache-\(geteuid())")
        let chosen = try PrefilterCache.standard(environment: ["XDG_CACHE_HOME": try directory()]).get()
        #expect(chosen.directory.hasSuffix("/filter-rules"))
    }

    @Test("without XDG_CACHE_HOME, the system directory is used when it is this user's (as the package makes it for smtpd's user)")
    func theSystemDirectoryOfThisUser() throws {
        let system = try directory() + "/var-cache-filter-rules"
        #expect(mkdir(system, 0o700) == 0)
        let cache = try PrefilterCache.standard(environment: ["HOME": try directory()], systemDirectory: system).get()
        #expect(cache.directory == system)
    }
}
