import Foundation
import SMTPDTestDouble
import Testing

/// The unprivileged account the permission tests run `filter-rules check` as.
private struct Unprivileged {
    var name: String
    var uid: uid_t
    var gid: gid_t
    var groupName: String

    /// `nobody`, when this system has it.
    static let nobody: Unprivileged? = {
        guard let entry = getpwnam("nobody"), let group = getgrgid(entry.pointee.pw_gid) else { return nil }
        return Unprivileged(
            name: "nobody", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid,
            groupName: String(cString: group.pointee.gr_name))
    }()
}

/// Whether users other than the owner can run `path`: executable by others, every
/// directory above it searchable by others.
private func othersCanRun(_ path: String) -> Bool {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
    var directory = (path as NSString).deletingLastPathComponent
    while directory != "/" && !directory.isEmpty {
        guard stat(directory, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
        directory = (directory as NSString).deletingLastPathComponent
    }
    return true
}

/// Whether the tests can drop privileges: root, `setpriv`, `nobody`, and a built
/// `filter-rules` that `nobody` can run.
private let canDropPrivileges =
    getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0 && Unprivileged.nobody != nil
    && othersCanRun(FilterProcess.builtExecutable(named: "filter-rules"))

/// Runs `filter-rules check path` as `user` (through setpriv, without supplementary groups).
private func checkAs(_ user: Unprivileged, _ path: String) throws -> ProgramResult {
    try runProgram(
        "/usr/bin/setpriv",
        [
            "--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups",
            FilterProcess.builtExecutable(named: "filter-rules"), "check", path,
        ])
}

@Suite(
    "filter-rules check: files it may not read",
    .enabled(if: canDropPrivileges, "needs root, setpriv, the user nobody and a filter-rules that nobody can run"))
struct CheckPermissionTests {
    @Test("a 0600 root file: names the user, the file's owner and mode, and the command that lets the user read it")
    func unreadableFile() throws {
        let user = try #require(Unprivileged.nobody)
        let rules = try TemporaryRulesFile("helo /x/ reject\n")
        try #require(chown(rules.path, 0, 0) == 0 && chmod(rules.path, 0o600) == 0)
        let result = try checkAs(user, rules.path)
        #expect(result.status == 1)
        let root = String(cString: getgrgid(0).pointee.gr_name)
        #expect(
            result.standardError == """
                \(rules.path): cannot read the file: permission denied (running as \(user.name), uid \(user.uid); \
                the file is root:\(root) 0600); to let \(user.name) read it: chgrp \(user.groupName) \(rules.path) \
                && chmod g+r \(rules.path)
                \(rules.path): 1 error(s)

                """)
    }

    @Test("a file the user owns without read permission: chmod u+r")
    func ownFileWithoutRead() throws {
        let user = try #require(Unprivileged.nobody)
        let rules = try TemporaryRulesFile("helo /x/ reject\n")
        try #require(chown(rules.path, user.uid, user.gid) == 0 && chmod(rules.path, 0o200) == 0)
        let result = try checkAs(user, rules.path)
        #expect(result.status == 1)
        #expect(
            result.standardError.hasPrefix(
                """
                \(rules.path): cannot read the file: permission denied (running as \(user.name), uid \(user.uid); \
                the file is \(user.name):\(user.groupName) 0200); to let \(user.name) read it: chmod u+r \(rules.path)

                """))
    }

    @Test("a directory the user may not enter: names the directory, its owner and mode")
    func unsearchableDirectory() throws {
        let user = try #require(Unprivileged.nobody)
        let rules = try TemporaryRulesFile("helo /x/ reject\n")
        let directory = rules.directory.path
        try #require(chown(directory, 0, 0) == 0 && chmod(directory, 0o700) == 0 && chmod(rules.path, 0o644) == 0)
        let result = try checkAs(user, rules.path)
        #expect(result.status == 1)
        let root = String(cString: getgrgid(0).pointee.gr_name)
        #expect(
            result.standardError.hasPrefix(
                """
                \(rules.path): cannot read the file: permission denied (running as \(user.name), uid \(user.uid); \
                the directory \(directory) is root:\(root) 0700); to let \(user.name) enter it: \
                chgrp \(user.groupName) \(directory) && chmod g+x \(directory)

                """))
    }

    @Test("a readable file still reads after dropping privileges")
    func readableFile() throws {
        let user = try #require(Unprivileged.nobody)
        let rules = try TemporaryRulesFile("helo /x/ reject\n")
        try #require(chmod(rules.path, 0o644) == 0)
        let result = try checkAs(user, rules.path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("\(rules.path): OK, 1 rules (rules format)"))
    }
}
