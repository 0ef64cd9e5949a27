#if canImport(Glibc)
    import Glibc
#endif

/// Absolute paths with every symbolic link, `.` and `..` resolved, to tell whether two
/// spellings name the same file.
enum CanonicalPath {
    /// `path` resolved (`realpath(3)`); nil when it, or a directory on its way, does not exist.
    static func of(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
