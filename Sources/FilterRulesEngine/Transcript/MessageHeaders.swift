/// The header fields of a message (RFC 5322), unfolded, for the envelope a saved message is
/// dry-run with.
struct MessageHeaders {
    /// Each field's lowercased name and unfolded value, in order.
    private(set) var fields: [(name: String, value: String)] = []

    /// The fields of `lines` (without line ends) up to the first empty line.
    init(lines: [[UInt8]]) {
        for line in lines {
            if line.isEmpty { break }
            if line[0] == 0x20 || line[0] == 0x09 {
                if !fields.isEmpty { fields[fields.count - 1].value += String(decoding: line, as: UTF8.self) }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWhitespace().lowercased()
            fields.append((name, String(decoding: line[(colon + 1)...], as: UTF8.self)))
        }
    }

    /// The addresses of every field called `name`, in order.
    func addresses(in name: String) -> [String] {
        fields.filter { $0.name == name }.flatMap { AddressList.addresses(in: $0.value) }
    }

    /// The sender a delivered message was sent from: its `Return-Path:` (`<>` for the null
    /// sender), else its first `From:` address, else the null sender (`""`).
    var envelopeSender: String {
        if let returnPath = fields.first(where: { $0.name == "return-path" }) {
            return AddressList.addresses(in: returnPath.value).first ?? ""
        }
        return addresses(in: "from").first ?? ""
    }

    /// The addresses of `To:` and `Cc:`, each once, in order.
    var recipients: [String] {
        var seen = Set<String>()
        return fields.filter { $0.name == "to" || $0.name == "cc" }
            .flatMap { AddressList.addresses(in: $0.value) }
            .filter { seen.insert($0).inserted }
    }
}

/// The addr-specs of an RFC 5322 address list: `"Doe, J." <j@example.org>, k@example.org (K),
/// team: a@example.org, b@example.org;` gives j@, k@, a@ and b@. Display names, comments and
/// group names are dropped; an empty `<>` gives nothing.
enum AddressList {
    static func addresses(in value: String) -> [String] {
        var result: [String] = []
        var bare = ""
        var angle: String?
        var inAngle = false, inQuotes = false, escaped = false
        var commentDepth = 0
        func finish() {
            let address = (angle ?? bare).trimmingWhitespace()
            if !address.isEmpty { result.append(address) }
            bare = ""
            angle = nil
        }
        for character in value {
            if escaped {
                escaped = false
                if commentDepth == 0 { bare.append(character) }
            } else if commentDepth > 0 {
                switch character {
                case "\\": escaped = true
                case "(": commentDepth += 1
                case ")": commentDepth -= 1
                default: break
                }
            } else if inQuotes {
                if character == "\\" { escaped = true } else { bare.append(character) }
                if character == "\"" { inQuotes = false }
            } else if inAngle {
                if character == ">" { inAngle = false } else { angle?.append(character) }
            } else {
                switch character {
                case "\"": inQuotes = true; bare.append(character)
                case "(": commentDepth = 1
                case "<": inAngle = true; angle = ""
                case ",", ";": finish()
                case ":" where angle == nil: bare = ""  // a group's name
                case "\r", "\n": break
                default: bare.append(character)
                }
            }
        }
        finish()
        return result
    }
}
