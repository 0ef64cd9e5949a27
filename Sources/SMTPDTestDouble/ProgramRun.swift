import Foundation

/// What a finished program printed and how it ended.
public struct ProgramResult: Sendable {
    /// The exit status (the signal number when a signal ended it).
    public var status: Int32
    /// Everything it wrote to stdout.
    public var standardOutput: String
    /// Everything it wrote to stderr.
    public var standardError: String
}

/// Runs `executable` with `arguments` and stdin from /dev/null, and waits for it to end;
/// after `timeout` seconds it is terminated (SIGTERM).
///
/// stdout and stderr go to temporary files rather than pipes, so a program that fills one
/// stream while the other is being drained cannot block.
public func runProgram(_ executable: String, _ arguments: [String], timeout: Double = 10) throws -> ProgramResult {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputURL = directory.appendingPathComponent("stdout")
    let errorURL = directory.appendingPathComponent("stderr")
    try Data().write(to: outputURL)
    try Data().write(to: errorURL)
    let output = try FileHandle(forWritingTo: outputURL)
    let errors = try FileHandle(forWritingTo: errorURL)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    try output.close()
    try errors.close()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(2000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return ProgramResult(status: process.terminationStatus,
                         standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
                         standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
}
