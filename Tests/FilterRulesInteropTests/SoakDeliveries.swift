import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The messages a soak's sessions got delivered, as the delivery script wrote them (one
/// `*.eml` file each), checked against the sessions that were accepted.
struct SoakDeliveries {
    /// The mail directory of the run.
    let directory: String

    private var names: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    /// The number of complete deliveries.
    var count: Int { names.filter { $0.hasSuffix(".eml") }.count }

    /// Waits up to `timeout` seconds until `expected` files are there, then half a second
    /// more, so that a message delivered twice would show; whether they came.
    func wait(for expected: Int, timeout: Double) -> Bool {
        let arrived = Deadline.wait(seconds: timeout) { count >= expected }
        usleep(500_000)
        return arrived
    }

    /// Every file names an accepted session in its Message-ID, no other file names it, and
    /// without smtpd's trace headers it is that session's message byte for byte; every
    /// accepted session has its file and no delivery is half written. Returns what is wrong
    /// (one line each) and the bytes of the messages delivered.
    func check(against accepted: [SoakSummary.Session]) -> (problems: [String], bytes: Int) {
        let sessions = Dictionary(accepted.map { ($0.marker, $0) }, uniquingKeysWith: { first, _ in first })
        var delivered: Set<String> = []
        var problems: [String] = []
        var bytes = 0
        for name in names.sorted() {
            guard name.hasSuffix(".eml") else {
                problems.append("\(name): a delivery that did not finish")
                continue
            }
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) else {
                problems.append("\(name): unreadable")
                continue
            }
            let content = InteropMessage.withoutTraceHeaders(Array(data))
            bytes += content.count
            guard let marker = SoakMessage.marker(in: content), let session = sessions[marker] else {
                problems.append("\(name): no accepted session's marker in its Message-ID")
                continue
            }
            guard delivered.insert(marker).inserted else {
                problems.append("\(name): \(marker) delivered twice")
                continue
            }
            let expected = session.sessionKind.message.bytes(marker: marker)
            if !Self.same(content, expected) {
                problems.append("\(name) (\(session)): \(content.firstDifference(from: expected))")
            }
        }
        let missing = sessions.keys.filter { !delivered.contains($0) }.sorted()
        if !missing.isEmpty {
            problems.append("\(missing.count) accepted messages not delivered: \(missing.prefix(5).joined(separator: ", "))")
        }
        return (problems, bytes)
    }

    /// Byte equality by memcmp: the debug build's element-wise `==` is slow over a few hundred MB.
    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, a.count) == 0 } }
    }
}
