import ArgumentParser

/// `filter-bench mime`: what MIME decoding costs body rules, in process.
struct MIMECommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "mime",
        abstract: """
            In process: lines per second of a 1 MiB base64 and quoted-printable message with 100 \
            body rules (decoded) against 100 dataline rules (raw), and memory per session.
            """
    )

    @Option(help: ArgumentHelp("Seconds per case, at least (default: 2; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Option(help: ArgumentHelp("Sessions of the memory case (default: 2,000; 200 with --quick).", valueName: "n"))
    var sessions: Int?

    @Flag(help: "Shorter cases, fewer sessions.")
    var quick = false

    func measure() throws {
        var options = MIMEOptions(quick: quick)
        if let seconds { options.secondsPerCase = seconds }
        if let sessions { options.sessions = sessions }
        try runMIMEBenchmark(options)
    }
}
