import Foundation
import SMTPDTestDouble

/// Debian's authoritative DNS server, nsd, serving test zones on 127.0.0.1 on a free port,
/// started and stopped by a test (no root needed: it neither changes user nor chroots).
///
/// Zones are given as zone-file text; names not in them are NXDOMAIN, as from a real list.
public final class NSDServer {
    /// Where Debian installs nsd.
    public static let executable = "/usr/sbin/nsd"
    /// Whether nsd is installed (package nsd; scripts/test installs it).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The UDP and TCP port it answers on, on 127.0.0.1.
    public let port: UInt16
    private let directory: URL
    /// nsd's main process; 0 once stopped.
    private var pid: pid_t

    /// Starts nsd with `zones` (zone name → zone-file text) and waits until it answers.
    ///
    /// - Throws: ``DNSTestServerError`` when nsd does not start or answer within 10 s.
    public init(zones: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nsd-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError = "no port tried"
        for _ in 0..<5 {
            let port = try FreePort.udpAndTCP()
            var configuration = """
                server:
                  ip-address: 127.0.0.1@\(port)
                  username: ""
                  chroot: ""
                  zonesdir: "\(directory.path)"
                  pidfile: "\(directory.path)/nsd.pid"
                  database: ""
                  zonelistfile: "\(directory.path)/zone.list"
                  xfrdfile: "\(directory.path)/xfrd.state"
                  xfrdir: "\(directory.path)"
                  server-count: 1
                  rrl-ratelimit: 0
                  rrl-whitelist-ratelimit: 0
                  verbosity: 1
                remote-control:
                  control-enable: no

                """
            for (zone, text) in zones.sorted(by: { $0.key < $1.key }) {
                try text.write(to: directory.appendingPathComponent("\(zone).zone"), atomically: true, encoding: .utf8)
                configuration += "zone:\n  name: \(zone)\n  zonefile: \(zone).zone\n"
            }
            let file = directory.appendingPathComponent("nsd.conf")
            try configuration.write(to: file, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("nsd.log")
            // Spawned with no signal blocked (DaemonSpawn): nsd must see the SIGTERM of stop().
            let child = try TestDaemon.spawn(Self.executable, argv: ["nsd", "-d", "-c", file.path], log: log)
            let firstZone = zones.keys.sorted().first ?? "invalid"
            if DNSProbe.answers(port: port, name: firstZone, within: 10) {
                self.port = port
                self.pid = child
                return
            }
            TestDaemon.end(child)
            lastError = TestDaemon.logText(log)
        }
        try? FileManager.default.removeItem(at: directory)
        throw DNSTestServerError("nsd did not answer on 127.0.0.1: \(lastError)")
    }

    /// `127.0.0.1:PORT`, as `set resolver` takes it.
    public var address: String { "127.0.0.1:\(port)" }

    /// Stops nsd and removes its files.
    public func stop() {
        if pid > 0 { TestDaemon.end(pid) }
        pid = 0
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// A DNS test server that could not be started.
public struct DNSTestServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
