#if canImport(Glibc)
    import Glibc
#endif
#if FUZZING
    import CLibFuzzer
#endif

/// `filter-fuzz`: built by scripts/fuzz with `-sanitize=fuzzer,address -DFUZZING`, it is a
/// libFuzzer binary running the target `FUZZ_TARGET` names (its arguments are libFuzzer's:
/// corpus directories, `-max_total_time=S`, a crash file to replay). In the normal build,
/// `filter-fuzz TARGET FILE...` runs the target on each file once, so inputs can be replayed
/// without libFuzzer.
@main
struct FilterFuzz {
    static func main() {
        #if FUZZING
            guard let name = getenv("FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
                fail("set FUZZ_TARGET to one of \(FuzzTarget.names)")
            }
            selected = target
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                    FilterFuzz.selected?.run(UnsafeRawBufferPointer(start: data, count: size))
                    return 0
                })
        #else
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                fail("usage: filter-fuzz \(FuzzTarget.names) FILE...")
            }
            for path in arguments.dropFirst() {
                guard let bytes = contents(of: path) else { fail("filter-fuzz: cannot read \(path)") }
                bytes.withUnsafeBytes { target.run($0) }
            }
            print("filter-fuzz \(name): \(arguments.count - 1) input(s) ran")
        #endif
    }

    #if FUZZING
        /// The target of this process, set once before libFuzzer starts calling back.
        nonisolated(unsafe) static var selected: FuzzTarget?
    #endif

    static func fail(_ message: String) -> Never {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }

    static func contents(of path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }
}

#if FUZZING
    /// The entry point libFuzzer's own `main` looks for (linked in, but main is ours).
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FilterFuzz.selected?.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#endif

extension FuzzTarget {
    /// `imsg|v52|line|rules|transcript`.
    static var names: String { allCases.map(\.rawValue).joined(separator: "|") }
}
