import Foundation

/// A text file in a fresh temporary directory, removed with the directory when released:
/// rules files and map files for the programs under test.
public final class TemporaryFile {
    /// The directory holding only this file.
    public let directory: URL
    /// The file's path.
    public let path: String

    /// Writes `text` to a new file called `name`.
    public init(_ text: String, name: String = "file") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(name).path
        try write(text)
    }

    /// Replaces the file's content atomically, as an editor saving the file would.
    public func write(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
