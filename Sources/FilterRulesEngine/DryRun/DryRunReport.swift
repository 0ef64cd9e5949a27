import FilterRules

/// What the dry-run found for one transcript.
public struct TranscriptReport: Sendable, Encodable {
    /// The transcript's name (its path).
    public var name: String
    /// The client address and hostname it connected with.
    public var address: String
    /// The client's hostname.
    public var hostname: String
    /// Each step that reached (or would have reached) the filter, in order.
    public var steps: [StepReport]
    /// How long after the previous transcript this one started on the run's clock, in
    /// milliseconds.
    public var startsAfter: Int64 = 0

    /// Whether every expectation held.
    public var passed: Bool { steps.allSatisfy { $0.expectationHeld != false } }

    /// Whether the filter accepted every step (the verdict on a saved message).
    public var accepted: Bool { steps.allSatisfy { $0.answer == Verdict.accept.rawValue } }

    enum CodingKeys: String, CodingKey { case name, address, hostname, passed, accepted, steps }

    /// Encodes the report, `passed` and `accepted` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address, forKey: .address)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(passed, forKey: .passed)
        try container.encode(accepted, forKey: .accepted)
        try container.encode(steps, forKey: .steps)
    }
}
