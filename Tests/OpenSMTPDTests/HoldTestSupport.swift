import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// A fresh empty directory for spill files, removed with its contents by ``remove()``.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("hold-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    /// The names in the directory.
    var entries: [String] { ScratchDirectoryView(path: path).entries }

    /// Descriptors of this process open on a file in the directory that has no name any more.
    var openUnlinkedFiles: Int { ScratchDirectoryView(path: path).openUnlinkedFiles }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A message of `count` bytes of varied lines (8-bit bytes included), ending with a newline.
func sampleMessage(bytes count: Int) -> [UInt8] {
    var message: [UInt8] = []
    message.reserveCapacity(count)
    var line = 0
    while message.count < count {
        line += 1
        let text: [UInt8] = Array("line \(line) of the held message ".utf8) + [0xc3, 0xa9, 0xff] + Array(repeating: UInt8(ascii: "x"), count: line % 70)
        message += text + [0x0a]
    }
    message.removeLast(message.count - count)
    if message.last != 0x0a { message[message.count - 1] = 0x0a }
    return message
}
