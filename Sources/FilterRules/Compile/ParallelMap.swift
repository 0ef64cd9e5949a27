import Dispatch

extension Array where Element: Sendable {
    /// Elements one task of ``parallelMap(_:)`` transforms; Dispatch spreads the tasks over
    /// the cores.
    static var parallelChunk: Int { 32 }

    /// `transform` of every element, in order, computed on all cores in chunks (compiling
    /// thousands of regexes is the bulk of loading a large rules file).
    func parallelMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        let chunk = Self.parallelChunk
        guard count > 2 * chunk else { return map(transform) }
        let slots = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            // The results were copied out; the slots' own references are released here
            // (deallocating alone leaked every result: LeakSanitizer, filter-fuzz rules).
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let output = UncheckedBuffer(slots)
        withoutActuallyEscaping(transform) { transform in
            self.withUnsafeBufferPointer { input in
                let source = UncheckedBuffer(UnsafeMutableBufferPointer(mutating: input))
                DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { task in
                    // Each task writes only its own slots; the last one may be short.
                    for index in (task * chunk)..<Swift.min(source.buffer.count, (task + 1) * chunk) {
                        output.buffer[index] = transform(source.buffer[index])
                    }
                }
            }
        }
        return slots.map { $0! }
    }
}

/// A buffer shared by the tasks of ``Array/parallelMap(_:)``, each touching its own part.
private struct UncheckedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
