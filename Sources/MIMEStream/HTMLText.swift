/// The text of HTML as a reader sees it, as it streams: tags, comments, declarations and the
/// contents of `script` and `style` removed; character references (`&amp;`, `&#233;`,
/// `&#xE9;`, and the common named ones) decoded; block tags (`br`, `p`, `div`, `li`, `tr`,
/// headings, ...) end a line; table cells are set apart by a space. Whitespace is kept as it is.
/// When asked to, it also keeps the link targets the text does not show: the values of
/// `href`, `src` and `action` attributes (see ``takeLinks()``).
struct HTMLText {
    private enum State {
        case text
        /// After `<`.
        case tagOpen
        /// Inside a tag; `quote` is the quote character of an attribute value being read.
        case tag(quote: UInt8?)
        /// After `<!`: a comment if `--` follows, else a declaration.
        case bang(dashes: Int)
        /// Inside `<!-- ... -->`; how many `-` were just seen.
        case comment(dashes: Int)
        /// Inside `<!DOCTYPE ...>` or `<?...?>`.
        case declaration
        /// After `&`.
        case reference
    }

    private var state = State.text
    /// The tag's name, lowercased (as far as ``maximumName``), and whether it is a closing tag.
    private var name: [UInt8] = []
    private var readingName = false
    private var closing = false
    /// How long the tag under way is: past ``maximumTag`` it was no tag, and the rest is text.
    private var tagLength = 0
    /// The element whose content is not text (`script`, `style`) until its closing tag.
    private var skipping: [UInt8]?
    /// The character reference under way, after the `&`.
    private var reference: [UInt8] = []
    /// Whether link targets are kept.
    private let collectsLinks: Bool
    /// The name of the tag's attribute under way or last read, lowercased (as far as
    /// ``maximumName``), while link targets are kept.
    private var attribute: [UInt8] = []
    private var readingAttribute = false
    /// After an attribute's `=`: its value comes next.
    private var awaitingValue = false
    /// The value of a link attribute being read (quoted, or unquoted up to a blank or `>`).
    private var linkValue: [UInt8]?
    private var unquotedValue = false
    /// The link targets read since ``takeLinks()``.
    private var links: [[UInt8]] = []

    /// A converter; `collectsLinks` keeps the link targets of the tags.
    init(collectsLinks: Bool = false) {
        self.collectsLinks = collectsLinks
    }

    /// The link targets read since the last call.
    mutating func takeLinks() -> [[UInt8]] {
        guard !links.isEmpty else { return [] }
        defer { links.removeAll() }
        return links
    }

    private static let maximumName = 16
    private static let maximumTag = 4096
    private static let maximumReference = 10
    private static let lineTags: Set<[UInt8]> = Set(
        [
            "br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
            "table", "ul", "ol", "blockquote", "hr", "title", "pre",
        ].map { Array($0.utf8) })
    private static let cellTags: Set<[UInt8]> = Set(["td", "th"].map { Array($0.utf8) })
    private static let hiddenTags: Set<[UInt8]> = Set(["script", "style"].map { Array($0.utf8) })
    private static let linkAttributes: Set<[UInt8]> = Set(["href", "src", "action"].map { Array($0.utf8) })

    /// Appends the text of `input` (UTF-8 HTML) to `output`.
    mutating func append(_ input: [UInt8], into output: inout [UInt8]) {
        for byte in input { take(byte, into: &output) }
    }

    private mutating func take(_ byte: UInt8, into output: inout [UInt8]) {
        switch state {
        case .text:
            if byte == UInt8(ascii: "<") {
                state = .tagOpen
            } else if byte == UInt8(ascii: "&") {
                state = .reference
                reference.removeAll(keepingCapacity: true)
            } else if skipping == nil || byte == 0x0a {
                output.append(byte)
            }
        case .tagOpen:
            name.removeAll(keepingCapacity: true)
            tagLength = 0
            resetAttribute()
            if Self.isLetter(byte), skipping == nil {
                closing = false
                readingName = true
                name.append(byte | 0x20)
                state = .tag(quote: nil)
            } else if byte == UInt8(ascii: "/") {
                closing = true
                readingName = true
                state = .tag(quote: nil)
            } else if byte == UInt8(ascii: "!"), skipping == nil {
                state = .bang(dashes: 0)
            } else if byte == UInt8(ascii: "?"), skipping == nil {
                state = .declaration
            } else {
                state = .text
                if skipping == nil { output.append(UInt8(ascii: "<")) }
                take(byte, into: &output)
            }
        case .tag(let quote):
            tagLength += 1
            if tagLength > Self.maximumTag {
                // No tag after all: what follows is text.
                state = .text
                return
            }
            if let quote {
                if byte == quote {
                    state = .tag(quote: nil)
                    finishLinkValue()
                } else {
                    linkValue?.append(byte)
                }
                if byte == 0x0a { output.append(byte) }
                return
            }
            if readingName {
                if Self.isLetter(byte) || (byte >= 0x30 && byte <= 0x39) {
                    if name.count < Self.maximumName { name.append(byte | (Self.isLetter(byte) ? 0x20 : 0)) }
                    return
                }
                readingName = false
            }
            if collectsLinks, readAttribute(byte) { return }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): state = .tag(quote: byte)
            case UInt8(ascii: ">"): endTag(into: &output)
            case 0x0a: output.append(byte)
            default: break
            }
        case .bang(let dashes):
            if byte == UInt8(ascii: "-") {
                state = dashes == 1 ? .comment(dashes: 0) : .bang(dashes: dashes + 1)
            } else {
                state = byte == UInt8(ascii: ">") ? .text : .declaration
            }
        case .comment(let dashes):
            if byte == UInt8(ascii: "-") {
                state = .comment(dashes: dashes + 1)
            } else if byte == UInt8(ascii: ">"), dashes >= 2 {
                state = .text
            } else {
                if byte == 0x0a { output.append(byte) }
                state = .comment(dashes: 0)
            }
        case .declaration:
            if byte == UInt8(ascii: ">") { state = .text }
        case .reference:
            if byte == UInt8(ascii: ";") {
                state = .text
                if skipping != nil { return }
                if let decoded = Self.decodeReference(reference) {
                    output.append(contentsOf: decoded)
                } else {
                    output.append(UInt8(ascii: "&"))
                    output.append(contentsOf: reference)
                    output.append(byte)
                }
            } else if reference.count < Self.maximumReference,
                Self.isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || (byte == UInt8(ascii: "#") && reference.isEmpty)
            {
                reference.append(byte)
            } else {
                state = .text
                if skipping == nil {
                    output.append(UInt8(ascii: "&"))
                    output.append(contentsOf: reference)
                }
                take(byte, into: &output)
            }
        }
    }

    /// Follows a tag's attributes (outside quotes) to the values of link attributes; true
    /// when `byte` was taken as part of an unquoted value or an attribute's name.
    private mutating func readAttribute(_ byte: UInt8) -> Bool {
        if unquotedValue {
            if byte > 0x20, byte != UInt8(ascii: ">") {
                linkValue?.append(byte)
                return true
            }
            unquotedValue = false
            finishLinkValue()
        }
        switch byte {
        case 0x09, 0x0a, 0x0c, 0x0d, 0x20:
            readingAttribute = false
            return false
        case UInt8(ascii: "="):
            readingAttribute = false
            awaitingValue = true
            return true
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if awaitingValue { startLinkValue() }
            return false
        case UInt8(ascii: ">"), UInt8(ascii: "/"):
            awaitingValue = false
            return false
        default:
            if awaitingValue {
                startLinkValue()
                unquotedValue = true
                linkValue?.append(byte)
                return true
            }
            if !readingAttribute {
                attribute.removeAll(keepingCapacity: true)
                readingAttribute = true
            }
            if attribute.count < Self.maximumName { attribute.append(Self.isLetter(byte) ? byte | 0x20 : byte) }
            return true
        }
    }

    /// An attribute's value starts: kept when the attribute is a link's.
    private mutating func startLinkValue() {
        awaitingValue = false
        linkValue = Self.linkAttributes.contains(attribute) ? [] : nil
    }

    /// An attribute's value ended: a link's goes to ``links``.
    private mutating func finishLinkValue() {
        if let value = linkValue, !value.isEmpty { links.append(value) }
        linkValue = nil
    }

    private mutating func resetAttribute() {
        attribute.removeAll(keepingCapacity: true)
        readingAttribute = false
        awaitingValue = false
        linkValue = nil
        unquotedValue = false
    }

    /// The `>` of a tag: what the element means for the text.
    private mutating func endTag(into output: inout [UInt8]) {
        finishLinkValue()
        unquotedValue = false
        state = .text
        if let hidden = skipping {
            if closing, name == hidden { skipping = nil }
            return
        }
        if !closing, Self.hiddenTags.contains(name) {
            skipping = name
        } else if Self.lineTags.contains(name) {
            output.append(0x0a)
        } else if !closing, Self.cellTags.contains(name) {
            output.append(0x20)
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    /// The UTF-8 of a character reference's name (`amp`, `#233`, `#xE9`), nil when unknown.
    private static func decodeReference(_ name: [UInt8]) -> [UInt8]? {
        if name.first == UInt8(ascii: "#") {
            var digits = name.dropFirst()
            var radix = 10
            if let x = digits.first, x | 0x20 == UInt8(ascii: "x") {
                radix = 16
                digits = digits.dropFirst()
            }
            guard !digits.isEmpty, let value = UInt32(String(decoding: digits, as: UTF8.self), radix: radix) else { return nil }
            guard let scalar = Unicode.Scalar(value), value != 0 else { return UTF8Repair.replacement }
            return Array(String(Character(scalar)).utf8)
        }
        switch String(decoding: name, as: UTF8.self).lowercased() {
        case "amp": return [UInt8(ascii: "&")]
        case "lt": return [UInt8(ascii: "<")]
        case "gt": return [UInt8(ascii: ">")]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        case "nbsp", "ensp", "emsp", "thinsp": return [0x20]
        case "shy", "zwnj", "zwj": return []
        case "copy": return Array("©".utf8)
        case "reg": return Array("®".utf8)
        case "euro": return Array("€".utf8)
        default: return nil
        }
    }
}
