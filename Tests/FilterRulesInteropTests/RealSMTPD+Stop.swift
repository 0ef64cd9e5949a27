import Foundation
#if canImport(Glibc)
    import Glibc
#endif

extension RealSMTPD {
    /// Stops smtpd: SIGTERM, SIGKILL to it and its process tree after 10 s; then kills
    /// whatever of its tree (the filter included) outlived it by 5 s and returns those
    /// processes' argument vectors (empty when everything ended by itself). Idempotent.
    @discardableResult
    func stop() -> [String] {
        guard !stopped else { return [] }
        stopped = true
        let smtpd = process.pid
        let tree = ProcessTable.descendants(of: smtpd)
        if process.isRunning {
            kill(smtpd, SIGTERM)
            if !Deadline.wait(seconds: 10, until: { !process.isRunning }) {
                for child in Set(tree + ProcessTable.descendants(of: smtpd)) { kill(child, SIGKILL) }
                kill(smtpd, SIGKILL)
            }
        }
        process.waitUntilExit()
        let leftovers = {
            Set(
                tree.filter { pid in
                    ProcessTable.isAlive(pid) && ProcessTable.arguments(of: pid).contains { $0.contains("smtpd") || $0.contains(self.directory) }
                } + self.filterPIDs)
        }
        guard !Deadline.wait(seconds: 5, until: { leftovers().isEmpty }) else { return [] }
        return leftovers().map { pid in
            let arguments = ProcessTable.arguments(of: pid).joined(separator: " ")
            kill(pid, SIGKILL)
            return arguments
        }
    }

    /// Whether run directories are kept for inspection (`FILTER_RULES_INTEROP_KEEP=1`).
    static var keepsDirectories: Bool { getenv("FILTER_RULES_INTEROP_KEEP") != nil }

    /// Removes the run's directory, unless `keepsDirectories`.
    func removeDirectory() {
        guard !Self.keepsDirectories else { return }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
