import SMTPDTestDouble

/// A map file for `table-pcre`, removed when released.
func mapFile(_ text: String) throws -> TemporaryFile {
    try TemporaryFile(text, name: "map.pcre")
}

/// Runs the built `table-pcre` with `arguments` and waits for it (at most 10 s).
func runTablePCRE(_ arguments: [String]) throws -> ProgramResult {
    try runProgram(tablePCREPath, arguments)
}
