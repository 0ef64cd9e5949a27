import Foundation
import SMTPDTestDouble

/// Debian's redis-server on a private unix socket (and a free TCP port on 127.0.0.1),
/// started and stopped by a test, nothing saved to disk. It can be killed and started again
/// on the same socket and port, as a server that goes away and comes back.
public final class RedisServer {
    /// Where Debian installs it.
    public static let executable = "/usr/bin/redis-server"
    /// Whether it is installed (package redis-server; scripts/test installs it).
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The unix socket it listens on.
    public let socketPath: String
    /// The TCP port it listens on, on 127.0.0.1.
    public let port: UInt16
    private let directory: URL
    private let password: String?
    private var pid: pid_t = 0

    /// Starts a server (requiring `password` when given) and waits until it answers.
    public init(password: String? = nil) throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("redis-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("redis.sock").path
        port = try FreePort.udpAndTCP()
        self.password = password
        try start()
    }

    /// `redis+unix://PATH?db=N`, as `set store` takes it.
    public func unixURL(database: Int = 0) -> String { "redis+unix://\(socketPath)?db=\(database)" }
    /// `redis://127.0.0.1:PORT/N`.
    public func tcpURL(database: Int = 0) -> String { "redis://127.0.0.1:\(port)/\(database)" }

    /// Starts it (again), on the same socket and port.
    public func start() throws {
        guard pid == 0 else { return }
        var arguments = [
            "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--unixsocket", socketPath, "--unixsocketperm", "777",
            "--save", "", "--appendonly", "no", "--dir", directory.path, "--daemonize", "no", "--loglevel", "warning",
        ]
        if let password { arguments += ["--requirepass", password] }
        let log = directory.appendingPathComponent("redis.log")
        pid = try TestDaemon.spawn(Self.executable, argv: arguments, log: log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socketPath), Self.answers(socketPath) { return }
            usleep(20_000)
        }
        let text = TestDaemon.logText(log)
        kill()
        throw DNSTestServerError("redis-server did not answer on \(socketPath): \(text)")
    }

    /// Kills it at once (SIGKILL), as a server that dies.
    public func kill() {
        guard pid > 0 else { return }
        TestDaemon.end(pid, grace: 0)
        pid = 0
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    /// Stops it and removes its files.
    public func stop() {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether something accepts connections on the socket.
    private static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    deinit { stop() }
}
