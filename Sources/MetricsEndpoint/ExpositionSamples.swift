/// The samples of a Prometheus text exposition, read back (`filter-rules stats`): each
/// line `name{label="value",...} number` as a name, its labels and its value; comments and
/// lines that are not samples are left out.
public struct ExpositionSample: Sendable, Equatable {
    /// The metric's name, e.g. `filter_rules_decisions_total`.
    public var name: String
    /// The labels, in the order written.
    public var labels: [(name: String, value: String)]
    /// The value.
    public var value: Double

    /// A sample.
    public init(name: String, labels: [(name: String, value: String)], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }

    /// The value of label `name`, nil when the sample has none.
    public func label(_ name: String) -> String? { labels.first { $0.name == name }?.value }

    /// Whether two samples have the same name, labels in the same order, and value.
    public static func == (a: ExpositionSample, b: ExpositionSample) -> Bool {
        a.name == b.name && a.value == b.value && a.labels.elementsEqual(b.labels) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The samples of `text`.
    public static func parse(_ text: String) -> [ExpositionSample] {
        text.split(separator: "\n").compactMap { line in
            guard let first = line.first, first != "#" else { return nil }
            return parseLine(Array(line.utf8))
        }
    }

    /// One sample line, nil when it is none.
    static func parseLine(_ line: [UInt8]) -> ExpositionSample? {
        var index = 0
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f || byte == 0x3a
        }
        while index < line.count, isNameByte(line[index]) { index += 1 }
        guard index > 0 else { return nil }
        let name = String(decoding: line[..<index], as: UTF8.self)
        var labels: [(name: String, value: String)] = []
        if index < line.count, line[index] == UInt8(ascii: "{") {
            index += 1
            while index < line.count, line[index] != UInt8(ascii: "}") {
                let start = index
                while index < line.count, isNameByte(line[index]) { index += 1 }
                let labelName = String(decoding: line[start..<index], as: UTF8.self)
                guard index + 1 < line.count, line[index] == UInt8(ascii: "="), line[index + 1] == UInt8(ascii: "\"") else { return nil }
                index += 2
                var value: [UInt8] = []
                while index < line.count, line[index] != UInt8(ascii: "\"") {
                    if line[index] == UInt8(ascii: "\\"), index + 1 < line.count {
                        index += 1
                        value.append(line[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : line[index])
                    } else {
                        value.append(line[index])
                    }
                    index += 1
                }
                guard index < line.count else { return nil }
                index += 1
                labels.append((labelName, String(decoding: value, as: UTF8.self)))
                if index < line.count, line[index] == UInt8(ascii: ",") { index += 1 }
            }
            guard index < line.count else { return nil }
            index += 1
        }
        let rest = String(decoding: line[index...], as: UTF8.self).split(separator: " ")
        guard let number = rest.first else { return nil }
        let value: Double?
        switch number {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(number)
        }
        guard let value else { return nil }
        return ExpositionSample(name: name, labels: labels, value: value)
    }
}
