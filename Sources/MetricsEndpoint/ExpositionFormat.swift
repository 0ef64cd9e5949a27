/// The text formats of a scrape: Prometheus's (0.0.4) or OpenMetrics 1.0, chosen by the
/// request's `Accept` header as Prometheus itself asks.
public enum ExpositionFormat: Sendable, Equatable {
    /// `text/plain; version=0.0.4`.
    case prometheusText
    /// `application/openmetrics-text; version=1.0.0`.
    case openMetrics

    /// The response's `Content-Type`.
    public var contentType: String {
        switch self {
        case .prometheusText: return "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format an `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text` with a quality above that of every other type it
    /// names (Prometheus lists it first), else the Prometheus text format.
    public init(accept: String?) {
        self = .prometheusText
        guard let accept else { return }
        var openMetricsQuality = -1.0, otherQuality = -1.0
        for item in accept.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
            guard let type = parts.first?.lowercased() else { continue }
            var quality = 1.0
            var version: Substring?
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "q": quality = Double(pair[1]) ?? 0
                case "version": version = pair[1]
                default: break
                }
            }
            if type == "application/openmetrics-text" {
                // Only 1.0.0 is spoken; a client that asks for another version only gets the
                // Prometheus text format.
                if version == nil || version == "1.0.0" { openMetricsQuality = max(openMetricsQuality, quality) }
            } else {
                otherQuality = max(otherQuality, quality)
            }
        }
        if openMetricsQuality > 0, openMetricsQuality >= otherQuality { self = .openMetrics }
    }

    /// The OpenMetrics text of the Prometheus text `text` (the registry's): a counter's
    /// family is named without `_total` in its `# TYPE` and `# HELP` lines, and `# EOF`
    /// ends it. The samples are the same.
    public static func openMetrics(fromPrometheusText text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 8)
        let type = Array("# TYPE ".utf8), help = Array("# HELP ".utf8), total = Array("_total".utf8)
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        let counterSuffix = Array(" counter".utf8)
        var counters: Set<ArraySlice<UInt8>> = []
        for line in lines where line.starts(with: type) && line.suffix(counterSuffix.count).elementsEqual(counterSuffix) {
            counters.insert(ArraySlice(line.dropFirst(type.count).dropLast(counterSuffix.count)))
        }
        for line in lines {
            let isType = line.starts(with: type)
            guard isType || line.starts(with: help) else {
                out.append(contentsOf: line)
                out.append(UInt8(ascii: "\n"))
                continue
            }
            let rest = line.dropFirst(type.count)
            let nameEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
            let name = rest[rest.startIndex..<nameEnd]
            let after = rest[nameEnd...]
            // Only counters are renamed: a gauge or histogram named `..._total` keeps it.
            let isCounterFamily = name.count > total.count && name.suffix(total.count).elementsEqual(total) && counters.contains(ArraySlice(name))
            out.append(contentsOf: line.prefix(type.count))
            out.append(contentsOf: isCounterFamily ? name.dropLast(total.count) : name)
            out.append(contentsOf: after)
            out.append(UInt8(ascii: "\n"))
        }
        out.append(contentsOf: Array("# EOF\n".utf8))
        return out
    }
}

extension Substring {
    /// The text without `characters` at either end.
    fileprivate func trimmingCharacters(in characters: String) -> Substring {
        var text = self
        while let first = text.first, characters.contains(first) { text.removeFirst() }
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return text
    }
}
