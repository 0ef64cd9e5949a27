#if canImport(Glibc)
    import Glibc
#endif

/// Fails unless `path` is an executable: the filter a mode starts (`product`, found beside
/// filter-bench unless --filter names another).
func requireFilter(_ path: String, product: String) throws {
    guard access(path, X_OK) == 0 else {
        throw BenchmarkFailure("no executable \(path): build it (swift build -c release --product \(product)) or pass --filter PATH")
    }
}
