import MetricsEndpoint

/// The metrics of one filter-rules as a short text for a person at a terminal
/// (`filter-rules stats`): totals, decisions per stage, the top rules, DNS lists, the
/// store and reloads.
struct StatsReport {
    /// The samples read from the endpoint.
    let samples: [ExpositionSample]

    /// The sum of the samples named `name` whose labels include `labels`.
    func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.lazy.filter { sample in sample.name == name && labels.allSatisfy { sample.label($0.key) == $0.value } }.reduce(0) { $0 + $1.value }
    }

    /// The distinct values of label `label` among the samples named `name`, in order of
    /// first appearance.
    func values(of label: String, in name: String) -> [String] {
        var seen: [String] = []
        for sample in samples where sample.name == name {
            if let value = sample.label(label), !seen.contains(value) { seen.append(value) }
        }
        return seen
    }

    /// The report, the top `top` rules by hits.
    func text(top: Int) -> String {
        var lines: [String] = []
        let version = samples.first { $0.name == "filter_rules_build_info" }?.label("version") ?? "?"
        let info = samples.first { $0.name == "filter_rules_rules_info" && $0.value == 1 }
        lines.append(
            "filter-rules \(version): \(count(total("filter_rules_rules_loaded"))) rules"
                + (info.map { " from \($0.label("file") ?? "?") (\($0.label("hash") ?? "?"))" } ?? ""))
        lines.append(
            "sessions: \(count(total("filter_rules_sessions_total"))) (\(count(total("filter_rules_sessions_active"))) active); "
                + "messages: \(count(total("filter_rules_messages_total"))), \(bytes(total("filter_rules_message_bytes_total"))); "
                + "held now: \(count(total("filter_rules_messages_held")))")
        lines.append("")
        lines += decisionTable()
        lines.append("")
        lines += topRules(top)
        let lists = values(of: "list", in: "filter_rules_dnslist_queries_total")
        if !lists.isEmpty {
            lines.append("")
            lines += table(
                header: ["dns list", "listed", "clean", "timeout", "error", "blocked", "cache hits"],
                rows: lists.map { list in
                    let results = ["listed", "clean", "timeout", "error", "blocked"].map {
                        count(total("filter_rules_dnslist_queries_total", ["list": list, "result": $0]))
                    }
                    return [list] + results + [count(total("filter_rules_dnslist_cache_hits_total", ["list": list]))]
                })
        }
        let backends = values(of: "backend", in: "filter_rules_store_calls_total")
        if !backends.isEmpty {
            lines.append("")
            lines += table(
                header: ["store", "ok", "timeout", "error", "unavailable", "breaker"],
                rows: backends.map { backend in
                    let results = ["ok", "timeout", "error", "unavailable"].map {
                        count(total("filter_rules_store_calls_total", ["backend": backend, "result": $0]))
                    }
                    return [backend] + results + [total("filter_rules_store_breaker_open", ["backend": backend]) > 0 ? "open" : "closed"]
                })
        }
        let limits = values(of: "limit", in: "filter_rules_limit_exceeded_total")
        if !limits.isEmpty {
            let counts = limits.map { "\($0) \(count(total("filter_rules_limit_exceeded_total", ["limit": $0])))" }
            lines.append("limits exceeded: " + counts.joined(separator: ", "))
        }
        lines.append("")
        let lastReload = total("filter_rules_config_last_reload_successful") == 1 ? "in force" : "FAILED, the previous rules stay in force"
        lines.append(
            "reloads: \(count(total("filter_rules_reloads_total", ["result": "ok"]))) ok, "
                + "\(count(total("filter_rules_reloads_total", ["result": "failed"]))) failed; last: \(lastReload)")
        return lines.joined(separator: "\n")
    }

    /// Decisions per stage (rows) and action (columns), report-only ones as `would ACTION`.
    private func decisionTable() -> [String] {
        let name = "filter_rules_decisions_total"
        // Stages in the order of a session.
        let sessionOrder = [
            "connect", "addr", "tls", "auth", "authfail", "helo", "mail", "rcpt", "data", "header", "body", "dataline", "attachment",
            "mimetype", "message",
        ]
        let stages = values(of: "stage", in: name).sorted { (sessionOrder.firstIndex(of: $0) ?? 99, $0) < (sessionOrder.firstIndex(of: $1) ?? 99, $1) }
        guard !stages.isEmpty else { return ["decisions: none yet"] }
        var columns: [(action: String, mode: String)] = []
        for sample in samples where sample.name == name {
            let column = (sample.label("action") ?? "?", sample.label("mode") ?? "enforce")
            if !columns.contains(where: { $0 == column }) { columns.append(column) }
        }
        let order = ["accept", "reject", "tempfail", "disconnect", "greylist", "junk", "add-header", "warn"]
        columns.sort { (order.firstIndex(of: $0.action) ?? 99, $0.mode) < (order.firstIndex(of: $1.action) ?? 99, $1.mode) }
        return table(
            header: ["decisions"] + columns.map { $0.mode == "enforce" ? $0.action : "would \($0.action)" },
            rows: stages.map { stage in
                [stage] + columns.map { count(total(name, ["stage": stage, "action": $0.action, "mode": $0.mode])) }
            })
    }

    /// The rules with the most hits.
    private func topRules(_ top: Int) -> [String] {
        let hits = samples.filter { $0.name == "filter_rules_rule_hits_total" && $0.value > 0 }.sorted { $0.value > $1.value }
        guard !hits.isEmpty else { return ["rule hits: none yet"] }
        return table(
            header: ["hits", "rule", "stage", "action"],
            rows: hits.prefix(top).map { [count($0.value), $0.label("rule") ?? "?", $0.label("stage") ?? "?", $0.label("action") ?? "?"] })
    }

    /// Columns padded to their widest cell, numbers right-aligned.
    private func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return cell.first?.isNumber != true ? cell + pad : pad + cell
            }.joined(separator: "  ").trailingSpacesRemoved
        }
    }

    private func count(_ value: Double) -> String {
        // What an endpoint sends may be anything: only what fits an Int64 is grouped.
        guard let whole = Int64(exactly: value.rounded()) else { return "\(value)" }
        let digits = String(whole)
        var out = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0, character != "-" { out.append(",") }
            out.append(character)
        }
        return String(out.reversed())
    }

    private func bytes(_ value: Double) -> String {
        guard value.isFinite, value < 1e18 else { return "\(value) bytes" }
        if value >= 1_073_741_824 { return "\(Int(value / 1_073_741_824)) GiB" }
        if value >= 1_048_576 { return "\(Int(value / 1_048_576)) MiB" }
        if value >= 1024 { return "\(Int(value / 1024)) KiB" }
        return "\(Int(value)) bytes"
    }
}

extension String {
    /// The text without trailing spaces.
    fileprivate var trailingSpacesRemoved: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
