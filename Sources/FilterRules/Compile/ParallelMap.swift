import Dispatch
#if canImport(Glibc)
import Glibc
#endif

extension Array where Element: Sendable {
    /// `transform` of every element, in order, computed on all cores in chunks (compiling
    /// thousands of regexes is the bulk of loading a large rules file).
    func parallelMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        guard count > 64 else { return map(transform) }
        let chunkSize = (count + 8 * Swift.max(1, System.coreCount) - 1) / (8 * Swift.max(1, System.coreCount))
        // Every chunk holds at least one element: the last may be shorter, none is empty.
        let chunkCount = (count + chunkSize - 1) / chunkSize
        let slots = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        let output = UncheckedBuffer(slots)
        withoutActuallyEscaping(transform) { transform in
            self.withUnsafeBufferPointer { input in
                let source = UncheckedBuffer(UnsafeMutableBufferPointer(mutating: input))
                DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                    let range = (chunk * chunkSize)..<Swift.min(source.buffer.count, (chunk + 1) * chunkSize)
                    // Each chunk writes only its own slots.
                    for index in range { output.buffer[index] = transform(source.buffer[index]) }
                }
            }
        }
        return slots.map { $0! }
    }
}

/// A buffer shared by the chunks of ``Array/parallelMap(_:)``, each touching its own part.
private struct UncheckedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}

/// The machine's processors.
enum System {
    /// How many cores the process may run on.
    static let coreCount: Int = {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }()
}
