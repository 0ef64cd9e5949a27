import Synchronization
import Testing
@testable import FilterRules
#if canImport(Glibc)
    import Glibc
#endif

/// The regex parts compile on threads of their own at nice 19, which leaves the caller's
/// priority alone.
@Suite("Prefilter: low-priority compile threads")
struct BackgroundThreadsTests {
    @Test("every index runs once, at nice 19, and the caller keeps its priority")
    func lowPriority() {
        let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let seen = Mutex<[Int: Int32]>([:])
        BackgroundThreads.run(50) { index in
            let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            seen.withLock { $0[index] = nice }
        }
        let result = seen.withLock { $0 }
        #expect(result.keys.sorted() == Array(0..<50))
        #expect(result.values.allSatisfy { $0 == 19 }, "\(Set(result.values))")
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
    }
}
