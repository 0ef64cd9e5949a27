import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// The reloads during the soak. Every `interval` seconds the next rules file is put in
/// place (atomically) and the filter told: variant B on odd ticks, A on even ones, by
/// `filter-rules reload FILE` on two ticks in three and by a SIGHUP of our own on the third.
/// Once, on tick `brokenTick`, the broken file: `filter-rules reload` must refuse it without
/// signalling anything, and the filter, signalled directly, must refuse it and keep the rules
/// it had. Each tick waits for the filter's log line of it before the next.
struct SoakReloader {
    /// Seconds between ticks.
    static let interval = 2.0
    /// The tick that installs the broken file.
    static let brokenTick = 10

    let server: RealSMTPD
    /// The filter's pid, which must not change.
    let filter: pid_t

    /// Ticks done.
    private(set) var ticks = 0
    /// Reloads of each variant that the filter logged.
    private(set) var variantAReloads = 0
    private(set) var variantBReloads = 0
    /// Reloads of the broken file that the filter logged as refused.
    private(set) var refusedReloads = 0
    /// What went wrong, one line per failed step.
    private(set) var problems: [String] = []

    init(server: RealSMTPD, filter: pid_t) {
        self.server = server
        self.filter = filter
    }

    /// Ticks until `done()` or until `seconds` have passed.
    mutating func run(until done: () -> Bool, atMost seconds: Double) {
        let start = ContinuousClock.now
        let deadline = Deadline(seconds: seconds)
        while !done() && !deadline.hasPassed {
            let next = start + .seconds(Self.interval * Double(ticks + 1))
            while ContinuousClock.now < next && !done() { usleep(20_000) }
            guard !done() else { break }
            ticks += 1
            if ticks == Self.brokenTick {
                reloadBroken(tick: ticks)
            } else {
                reload(tick: ticks)
            }
        }
    }

    private var path: String { server.rulesPath }

    private mutating func reload(tick: Int) {
        let variantB = !tick.isMultiple(of: 2)
        do {
            try server.writeRules(variantB ? SoakRules.variantB : SoakRules.variantA)
        } catch {
            problems.append("tick \(tick): \(error)")
            return
        }
        if tick.isMultiple(of: 3) {
            guard kill(filter, SIGHUP) == 0 else {
                problems.append("tick \(tick): kill \(filter): \(String(cString: strerror(errno)))")
                return
            }
        } else {
            guard let result = runReload(tick: tick) else { return }
            guard result.status == 0, result.standardOutput == "signalled 1 filter-rules process(es) serving \(path): \(filter)\n" else {
                problems.append("tick \(tick): filter-rules reload: exit \(result.status): \(result.standardOutput)\(result.standardError)")
                return
            }
        }
        let done = variantAReloads + variantBReloads + 1
        guard server.waitForLog("reloaded \(path): ", count: done, timeout: 5) else {
            problems.append("tick \(tick): no reload logged within 5 s")
            return
        }
        if variantB { variantBReloads += 1 } else { variantAReloads += 1 }
    }

    private mutating func reloadBroken(tick: Int) {
        do {
            try server.writeRules(SoakRules.broken)
        } catch {
            problems.append("tick \(tick): \(error)")
            return
        }
        if let result = runReload(tick: tick),
            result.status != 1 || !result.standardOutput.isEmpty
                || !result.standardError.contains("\(path):2:") || !result.standardError.contains("no filter-rules signalled")
        {
            problems.append("tick \(tick): filter-rules reload of the broken file: exit \(result.status), \(result.standardOutput)\(result.standardError)")
        }
        guard kill(filter, SIGHUP) == 0 else {
            problems.append("tick \(tick): kill \(filter): \(String(cString: strerror(errno)))")
            return
        }
        guard server.waitForLog("reload of \(path) refused, the previous rules stay in force", timeout: 5) else {
            problems.append("tick \(tick): the broken file's refusal not logged within 5 s")
            return
        }
        refusedReloads += 1
    }

    /// Runs `filter-rules reload FILE`; records a problem and returns nil when it cannot be run.
    private mutating func runReload(tick: Int) -> ProgramResult? {
        do {
            return try runProgram(FilterProcess.builtExecutable(named: "filter-rules"), ["reload", path], timeout: 20)
        } catch {
            problems.append("tick \(tick): filter-rules reload: \(error)")
            return nil
        }
    }
}
