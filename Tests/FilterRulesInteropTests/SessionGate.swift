/// Marker files that line up clients running at the same time (see
/// `SMTPClient.runConcurrently`): a client connects once `connectAfter` exists, creates
/// `greeted` after its greeting (also when its session failed before), and sends MAIL once
/// `proceedAfter` exists. Each wait ends after the plan's timeout at the latest.
struct SessionGate {
    /// The marker to wait for before connecting (nil: connect at once).
    var connectAfter: String?
    /// The marker to create once greeted.
    var greeted: String?
    /// The marker to wait for before MAIL (nil: go on at once).
    var proceedAfter: String?

    /// How many waits of up to the plan's timeout a gated client may spend on markers.
    static let waits = 2
}
