import ArgumentParser

extension ServeCommand {
    /// The rules file served by a filter-rules process whose command line is `arguments`
    /// (argv[0] first, whatever it is), read by this very parser: `--rules FILE`, FILE or the
    /// default, with smtpd's `-v`/`-d` anywhere. Nil for the other commands (`check`,
    /// `test`, `reload`) and for arguments `serve` would refuse.
    static func rulesFile(servedBy arguments: [String]) -> String? {
        guard !arguments.isEmpty,
            let command = try? FilterRulesCommand.parseAsRoot(Array(arguments.dropFirst())) as? ServeCommand
        else { return nil }
        return command.rulesPath
    }
}
