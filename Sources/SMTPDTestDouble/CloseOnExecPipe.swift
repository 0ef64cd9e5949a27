import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// A pipe whose ends are close-on-exec from the start, so that no program another thread
/// starts meanwhile inherits one (a reader kept open elsewhere would hide a broken pipe).
public func makeCloseOnExecPipe() throws -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    guard copensmtpd_pipe(&ends) == 0 else { throw DoubleError.system("pipe", errno) }
    return (ends[0], ends[1])
}
