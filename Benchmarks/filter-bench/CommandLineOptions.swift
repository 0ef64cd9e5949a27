#if canImport(Glibc)
import Glibc
#endif

/// Every mode's usage, printed for an option that is unknown, lacks its value or has a bad one.
let usage = """
    usage: filter-bench [--filter PATH] [--queries N] [--megabytes N] [--quick]
           filter-bench rules [--filter PATH] [--seconds S] [--quick]
           filter-bench line [--filter PATH] [--seconds S] [--quick]
           filter-bench prefilter [--filter PATH] [--seconds S] [--rules N,N...] [--quick]
           filter-bench robust [--filter PATH] [--baseline PATH] [--sessions N] [--seconds S] [--quick]
           filter-bench compile [--quick]
           filter-bench burst [--filter PATH]
           filter-bench reload [--filter PATH]
           filter-bench reload-burst [--filter PATH] [--quick]
           filter-bench limits [--quick]
           filter-bench evaluate [--seconds S] [--rules N] [--prefilter] [--quick]
    """

/// A mode's command-line words, read option by option.
struct OptionWords {
    private var words: IndexingIterator<ArraySlice<String>>

    /// The words after the program name (and the mode's name).
    init(_ words: ArraySlice<String>) { self.words = words.makeIterator() }

    /// The next option, nil after the last.
    mutating func next() -> String? { words.next() }

    /// The word after `option`, converted by `parse`; exits with the usage when it is
    /// missing or `parse` refuses it.
    mutating func value<Value>(of option: String, _ parse: (String) -> Value?) -> Value {
        guard let word = words.next() else { exitWithUsage("\(option) needs a value") }
        guard let value = parse(word) else { exitWithUsage("bad value for \(option): \(word)") }
        return value
    }
}

/// Prints `problem` and the usage and exits with status 2.
func exitWithUsage(_ problem: String) -> Never {
    print("filter-bench: \(problem)\n\(usage)")
    exit(2)
}

/// Fails unless `path` is an executable: the filter a mode starts (`product`, found beside
/// filter-bench unless --filter names another).
func requireFilter(_ path: String, product: String) throws {
    guard access(path, X_OK) == 0 else {
        throw BenchmarkFailure("no executable \(path): build it (swift build -c release --product \(product)) or pass --filter PATH")
    }
}
