import ArgumentParser
#if canImport(Glibc)
    import Glibc
#endif

extension ParsableCommand {
    /// Parses `arguments` (nil: the process's) and runs the command, like `main()`, except
    /// that usage errors exit 2 with ArgumentParser's message and usage, as the programs'
    /// manuals document (`test`, `lookup`: 2 = usage or input error).
    public static func runExitingTwoOnUsageErrors(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                printToStandardError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
