#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the process may not read a file, for an administrator: who it runs as, which entry
/// of the path stops it (the file, or a directory above it it may not enter), that entry's
/// owner, group and mode, and a command that lets it through.
///
/// For example `(running as opensmtpd, uid 108; the file is root:root 0600); to let
/// opensmtpd read it: chgrp opensmtpd /etc/mail/filter-rules.conf && chmod g+r
/// /etc/mail/filter-rules.conf`.
struct AccessExplanation {
    /// The explanation, starting with the parenthesis.
    let text: String

    /// Explains why `path` cannot be opened for reading.
    init(path: String) {
        let uid = geteuid()
        let userName = AccountNames.userName(uid)
        let running = "running as " + (userName.map { "\($0), uid \(uid)" } ?? "uid \(uid)")
        guard let blocker = Self.blockingEntry(of: path) else {
            text = "(\(running))"
            return
        }
        var info = stat()
        guard stat(blocker.path, &info) == 0 else {
            text = "(\(running))"
            return
        }
        let owner = AccountNames.userName(info.st_uid) ?? String(info.st_uid)
        let group = AccountNames.groupName(info.st_gid) ?? String(info.st_gid)
        var mode = String(info.st_mode & 0o7777, radix: 8)
        while mode.count < 4 { mode = "0" + mode }
        let what = blocker.isDirectory ? "the directory \(blocker.path)" : "the file"
        let who = userName ?? "uid \(uid)"
        let verb = blocker.isDirectory ? "enter it" : "read it"
        let command = Self.command(letting: uid, into: blocker, owner: info.st_uid, group: info.st_gid)
        text = "(\(running); \(what) is \(owner):\(group) \(mode)); to let \(who) \(verb): \(command)"
    }

    /// The entry of `path` that stops the process: the first directory above the file it
    /// may not search, or else the file itself.
    private static func blockingEntry(of path: String) -> (path: String, isDirectory: Bool)? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        let components = path.split(separator: "/")
        for component in components.dropLast() {
            prefix += component
            if faccessat(AT_FDCWD, prefix, X_OK, AT_EACCESS) != 0 { return (prefix, true) }
            prefix += "/"
        }
        return components.isEmpty ? nil : (path, false)
    }

    /// A shell command that grants the missing permission (read for a file, search for a
    /// directory): through the owner's bits when the process is the owner, else through the
    /// group's, after giving the entry the process's group when it has another.
    private static func command(
        letting uid: uid_t, into entry: (path: String, isDirectory: Bool),
        owner: uid_t, group: gid_t
    ) -> String {
        let permission = entry.isDirectory ? "x" : "r"
        let path = entry.path
        if owner == uid { return "chmod u+\(permission) \(path)" }
        if AccountNames.processGroups().contains(group) { return "chmod g+\(permission) \(path)" }
        let ownGroup = AccountNames.primaryGroup(of: uid) ?? getegid()
        let name = AccountNames.groupName(ownGroup) ?? String(ownGroup)
        return "chgrp \(name) \(path) && chmod g+\(permission) \(path)"
    }
}
