import ArgumentParser
import FilterRules
import FilterRulesEngine

/// `test --eml`'s envelope options: what the saved messages are sent with.
struct EnvelopeOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("MAIL FROM; <> for the null sender (default: the message's Return-Path, else its From, else <>).", valueName: "address")
    )
    var sender: String?

    @Option(
        name: .long, help: ArgumentHelp("RCPT TO, repeatable (default: the message's To and Cc addresses, else postmaster@localhost).", valueName: "address"))
    var rcpt: [String] = []

    @Option(name: .long, help: ArgumentHelp("The client's IP address (default 127.0.0.1).", valueName: "ip"))
    var clientAddress: String?

    @Option(name: .long, help: ArgumentHelp("The client's reverse-DNS name (default localhost).", valueName: "name"))
    var clientHostname: String?

    @Option(name: .long, help: ArgumentHelp("The HELO/EHLO argument (default localhost).", valueName: "name"))
    var helo: String?

    /// Whether any of the options was given.
    var isGiven: Bool {
        sender != nil || !rcpt.isEmpty || clientAddress != nil || clientHostname != nil || helo != nil
    }

    func validate() throws {
        if let clientAddress, IPAddress(clientAddress) == nil {
            throw ValidationError("bad IP address '\(clientAddress)' for --client-address")
        }
    }

    /// The envelope: the defaults of ``MessageEnvelope`` where an option was not given.
    var envelope: MessageEnvelope {
        var envelope = MessageEnvelope(sender: sender.map(Self.bare), recipients: rcpt.map(Self.bare))
        if let clientAddress { envelope.clientAddress = clientAddress }
        if let clientHostname { envelope.clientHostname = clientHostname }
        if let helo { envelope.helo = helo }
        return envelope
    }

    /// An address without the angle brackets it may be given in (`<>` is the null sender, "").
    static func bare(_ address: String) -> String {
        address.hasPrefix("<") && address.hasSuffix(">") ? String(address.dropFirst().dropLast()) : address
    }
}
