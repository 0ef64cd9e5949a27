import FilterRules
import Logging
#if canImport(Glibc)
    import Glibc
#endif

extension ServeCommand {
    /// How the served rules are matched: with the Vectorscan prefilter unless `--prefilter
    /// off` or the CPU cannot run Vectorscan (said once in the log), its databases cached in
    /// `--prefilter-cache` or the standard directory (a directory that cannot be used is
    /// logged, and the prefilter runs without a cache).
    func stageMatching(logger: Logger) -> StageMatching {
        guard prefilter == .on else {
            logger.info("prefilter off (--prefilter off): every rule is tried with PCRE2")
            return .sequential
        }
        if let reason = Vectorscan.unavailableReason {
            logger.warning("prefilter off: \(reason); every rule is tried with PCRE2")
            return .sequential
        }
        var cache: PrefilterCache?
        let result: Result<PrefilterCache, PrefilterCache.CacheFailure>?
        switch prefilterCache {
        case "off": result = nil
        case let directory?: result = PrefilterCache.open(directory)
        case nil: result = PrefilterCache.standard(environment: Self.environment())
        }
        switch result {
        case .success(let opened): cache = opened
        case .failure(let failure): logger.warning("prefilter cache off: \(failure.reason)")
        case nil: break
        }
        logger.debug("prefilter: Vectorscan \(Vectorscan.version), cache \(cache?.directory ?? "off")")
        return .prefiltered(
            PrefilterOptions(
                cache: cache,
                report: { report in
                    // Cache problems are worth a warning; the rest is for -v (it comes at any time,
                    // and the default log stays as it was without the prefilter).
                    if case .cacheProblem = report { logger.warning("\(report)") } else { logger.debug("\(report)") }
                }))
    }

    /// The process environment.
    private static func environment() -> [String: String] {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { values[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        return values
    }
}
