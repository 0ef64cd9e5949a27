import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// Puts the built filter-rules into a run's directory so that smtpd's unprivileged user
/// can run it: the binary, and the Swift runtime libraries it loads when that user could
/// not reach them where they are (a toolchain under /root, say). The binary's RUNPATH
/// contains `$ORIGIN`, so libraries beside it are found.
enum FilterInstallation {
    /// Copies `executable` to `directory`/filter-rules (mode 0755) with the libraries it
    /// needs that others cannot read, and returns the copy's path.
    static func install(_ executable: String, into directory: String) throws -> String {
        let target = directory + "/filter-rules"
        // No child may be spawned while the copy is open for writing (ETXTBSY at smtpd's exec).
        try DaemonSpawn.withoutSpawning {
            try FileManager.default.copyItem(atPath: executable, toPath: target)
            chmod(target, 0o755)
        }
        for library in try sharedLibraries(of: executable, listedIn: directory) where !isReachableByOthers(library) {
            let copy = directory + "/" + (library as NSString).lastPathComponent
            try DaemonSpawn.withoutSpawning {
                try FileManager.default.copyItem(atPath: library, toPath: copy)
                chmod(copy, 0o755)
            }
        }
        return target
    }

    /// The resolved paths of the shared libraries `executable` loads (from `ldd`, whose
    /// output goes to a file in `directory`).
    private static func sharedLibraries(of executable: String, listedIn directory: String) throws -> [String] {
        let (_, text) = try SpawnedProcess.run("/usr/bin/ldd", [executable], outputPath: directory + "/ldd.txt", timeout: 30)
        return text.split(separator: "\n").compactMap { line in
            guard let arrow = line.range(of: " => /") else { return nil }
            let rest = line[line.index(arrow.upperBound, offsetBy: -1)...]
            return String(rest.prefix { $0 != " " })
        }
    }

    /// Whether a user that is neither owner nor group can read `path`: the file readable by
    /// others, every directory above it searchable by others.
    private static func isReachableByOthers(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IROTH != 0 else { return false }
        var directory = (path as NSString).deletingLastPathComponent
        while directory != "/" && !directory.isEmpty {
            guard stat(directory, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return true
    }
}
