import ConfigurationFiles

/// The checks of `limit` and `dynlist` declarations and of the terms and actions that use
/// them: names declared once, names declared at all, and keys known where they are used.
enum StoreCheck {
    /// The diagnostic of a name no `limit` or `dynlist` declares.
    static func undeclared(_ name: String, limit: Bool, at location: SourceLocation) -> RuleDiagnostic {
        limit
            ? RuleDiagnostic(location, "no limit named \(name): declare it with 'limit \(name) KEY COUNT/DURATION', e.g. limit \(name) addr 30/1m")
            : RuleDiagnostic(location, "no dynlist named \(name): declare it with 'dynlist \(name) KEY TTL', e.g. dynlist \(name) addr 1h")
    }

    /// What is wrong with an `add-to` or `remove-from` action: a list not declared, or one
    /// whose key is not known at a stage where the rule can fire (any of its terms').
    static func actionProblem(_ rule: Rule, declared: RuleDeclarations) -> RuleDiagnostic? {
        let name: String
        switch rule.action {
        case .addTo(let list), .removeFrom(let list): name = list
        case .greylist: return greylistProblem(rule)
        default: return nil
        }
        guard let list = declared.dynlists[name] else { return undeclared(name, limit: false, at: rule.location) }
        for term in rule.terms {
            if let problem = keyProblem(list.key, of: "dynlist \(name)", at: term.stage, location: term.location) { return problem }
        }
        return nil
    }

    /// What is wrong with a `greylist` rule: it decides at RCPT, so it needs an rcpt term
    /// and no term known only after it (the message's).
    static func greylistProblem(_ rule: Rule) -> RuleDiagnostic? {
        guard rule.terms.contains(where: { $0.stage == .rcpt }) else {
            return RuleDiagnostic(
                rule.location, "greylist decides at RCPT, on the recipient: give the rule an rcpt term, e.g. rcpt /./ and not auth /./ greylist")
        }
        if let late = rule.terms.first(where: { $0.stage.isMessageStage }) {
            return RuleDiagnostic(
                late.location, "greylist decides at RCPT, before the message: a \(late.stage.rawValue) term is known only later")
        }
        return nil
    }

    /// The diagnostic of a limit in bytes counted elsewhere than at the end of a message.
    static func byteProblem(_ limit: LimitDeclaration, at stage: Stage, location: SourceLocation) -> RuleDiagnostic? {
        guard limit.rate.inBytes, stage != .body else { return nil }
        return RuleDiagnostic(
            location, "limit \(limit.name) counts bytes, which a message has at its end: write body over \(limit.name)")
    }

    /// The diagnostic of a limit or list used at a stage where its key is not known yet,
    /// nil when it is known.
    static func keyProblem(_ key: StoreKeyKind, of what: String, at stage: Stage, location: SourceLocation) -> RuleDiagnostic? {
        guard !key.isKnown(at: stage) else { return nil }
        if stage == .authfail {
            return RuleDiagnostic(
                location,
                "\(what) is kept by \(key), which comes after AUTH: a failed AUTH knows only the client (addr), its HELO and the user name tried (auth)")
        }
        let when = key.knownFrom == .rcpt ? "at rcpt only (a message has several recipients)" : "from \(key.knownFrom.rawValue) on"
        return RuleDiagnostic(location, "\(what) is kept by \(key), which is known \(when), not at \(stage.rawValue)")
    }
}
