#if canImport(Glibc)
    import Glibc
#endif

/// Writes a line to stderr, in one `write` where the kernel takes it whole.
public func printToStandardError(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { buffer in
            write(2, buffer.baseAddress! + written, buffer.count - written)
        }
        if result < 0 && errno == EINTR { continue }
        if result <= 0 { return }
        written += result
    }
}
