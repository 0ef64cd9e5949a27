import Foundation

/// Runs programs as on a machine without the Swift toolchain: in a private mount namespace
/// (`unshare -m`, which needs root) with an empty tmpfs over each of the toolchain's runtime
/// library directories, so nothing of the toolchain's shared runtime can be loaded.
public struct HiddenToolchain: Sendable {
    /// The directories hidden: `runtimeLibraryPaths` of `swift -print-target-info`.
    public let runtimeLibraryDirectories: [String]
    /// The toolchain's root (the part of `runtimeResourcePath` before `/usr/lib/swift`):
    /// no library a shipped binary loads may come from below it.
    public let root: String

    /// A library that every toolchain runtime directory holds: the hidden directories must not.
    public static let probeLibrary = "libswiftCore.so"

    /// Asks the toolchain on PATH (the one `swift test` runs with) where its runtime lives.
    public init() throws {
        let info = try runProgram("/usr/bin/env", ["swift", "-print-target-info"], timeout: 60)
        guard info.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: Any],
            let paths = object["paths"] as? [String: Any],
            let libraries = paths["runtimeLibraryPaths"] as? [String], !libraries.isEmpty,
            let resources = paths["runtimeResourcePath"] as? String,
            let suffix = resources.range(of: "/usr/lib/swift", options: .backwards)
        else { throw HiddenToolchainError("swift -print-target-info: status \(info.status)\n\(info.standardOutput)\(info.standardError)") }
        runtimeLibraryDirectories = libraries
        root = String(resources[..<suffix.lowerBound])
    }

    /// The argv (argv[0] = `/usr/bin/unshare`) that runs `command` with the toolchain hidden
    /// and, in the same namespace, an empty writable tmpfs of the given mode over each of
    /// `privateDirectories` (e.g. a daemon's spool, so that its run leaves nothing behind).
    /// The shell in the namespace mounts them, exits 97 when it cannot and 98 when
    /// ``probeLibrary`` is still visible, then execs `command` in its own process (same pid;
    /// stdin, stdout and stderr stay those of the caller, for the double's channel too).
    public func command(_ command: [String], privateDirectories: [(path: String, mode: String)] = []) -> [String] {
        let script = """
            hidden=$1; shift
            while [ "$hidden" -gt 0 ]; do
              mount -t tmpfs -o ro,mode=0755 filter-rules-hidden-toolchain "$1" || exit 97
              [ -e "$1/\(Self.probeLibrary)" ] && exit 98
              shift; hidden=$((hidden - 1))
            done
            private=$1; shift
            while [ "$private" -gt 0 ]; do
              mount -t tmpfs -o "mode=$2" filter-rules-private "$1" || exit 97
              shift 2; private=$((private - 1))
            done
            exec "$@"
            """
        return [
            "/usr/bin/unshare", "-m", "/bin/sh", "-c", script, "hidden-toolchain",
            String(runtimeLibraryDirectories.count),
        ] + runtimeLibraryDirectories
            + [String(privateDirectories.count)] + privateDirectories.flatMap { [$0.path, $0.mode] } + command
    }

    /// Runs `command` with the toolchain hidden and waits for it (see ``runProgram(_:_:timeout:)``).
    public func run(_ command: [String], timeout: Double = 20) throws -> ProgramResult {
        let argv = self.command(command)
        return try runProgram(argv[0], Array(argv.dropFirst()), timeout: timeout)
    }
}

/// The toolchain's layout could not be learned.
public struct HiddenToolchainError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
