import CVectorscan
#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// Runs jobs on threads of their own at the lowest scheduling priority (nice 19), one per
/// core, and waits for them: the regex parts' compiles, which take seconds of every core,
/// so that the threads answering smtpd are always scheduled first. On a machine with two
/// cores, parts compiled by Dispatch's worker threads at normal priority delayed the
/// serving thread enough for a 50 ms line time limit to pass on a cheap regex.
enum BackgroundThreads {
    /// Calls `body` with every index of `0..<count`, on at most one thread per core, and
    /// returns when all calls have. Runs them here, in order, when no thread can be made.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let job = Job(count: count, body: body)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var threads: [pthread_t] = []
        for _ in 0..<min(count, cores) {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(job).toOpaque()
            let created = pthread_create(
                &thread, nil,
                { context in
                    let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                    // The nice value is a thread's own on Linux (setpriority(2)): this lowers
                    // this thread only, which ends with its jobs.
                    _ = cvectorscan_lower_thread_priority()
                    job.work()
                    return nil
                }, context)
            if created == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Job>.fromOpaque(context).release()
            }
        }
        if threads.isEmpty { job.work() }
        for thread in threads { pthread_join(thread, nil) }
    }

    /// The indices still to run, shared by the threads.
    private final class Job: Sendable {
        let count: Int
        let body: @Sendable (Int) -> Void
        private let next = Atomic<Int>(0)

        init(count: Int, body: @escaping @Sendable (Int) -> Void) {
            self.count = count
            self.body = body
        }

        /// Runs indices until none is left.
        func work() {
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                body(index)
            }
        }
    }
}
