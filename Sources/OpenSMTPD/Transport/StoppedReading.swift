/// How a channel ended when the daemon stopped reading it (a write failed with EPIPE or
/// ECONNRESET): the daemon has closed the channel, and the filter ends as at end of input.
struct StoppedReading: Equatable, Sendable {
    /// The failed call and its error, e.g. `sendmsg: Broken pipe`.
    var reason: String
    /// Bytes of answers that could not be delivered.
    var unsentBytes: Int
}
