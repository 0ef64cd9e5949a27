import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import OpenSMTPD
import Testing

@Suite("Held message store")
struct HeldMessageTests {
    func readAll(_ hold: HeldMessage, chunk: Int) throws -> (bytes: [UInt8], largestChunk: Int) {
        var bytes: [UInt8] = []
        var largest = 0
        while true {
            let next = try hold.read(upTo: chunk)
            if next.isEmpty { return (bytes, largest) }
            largest = max(largest, next.count)
            bytes += next
        }
    }

    @Test("below the memory limit nothing touches the disk; read back in order")
    func inMemory() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 1000, directory: directory.path))
        let message = sampleMessage(bytes: 900)
        #expect(hold.append(message[..<400]) && hold.append(message[400...]))
        #expect(hold.spillDescriptor == nil && hold.bytesInMemory == 900 && hold.byteCount == 900)
        let back = try readAll(hold, chunk: 128)
        #expect(back.bytes == message && back.largestChunk == 128)
        #expect(hold.isExhausted)
    }

    @Test("past the memory limit the bytes go to a nameless 0600 close-on-exec file, read back in bounded chunks", arguments: [true, false])
    func spills(tmpfile: Bool) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 64 << 10, directory: directory.path), allowTmpfile: tmpfile)
        let message = sampleMessage(bytes: 1 << 20)
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + 65536)
            #expect(hold.append(message[offset..<end]))
            offset = end
        }
        let fd = try #require(hold.spillDescriptor)
        var info = stat()
        #expect(fstat(fd, &info) == 0)
        #expect(info.st_nlink == 0 && info.st_mode & 0o777 == 0o600)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        #expect(directory.entries.isEmpty)
        #expect(hold.bytesInMemory <= 64 << 10 && hold.bytesInFile + hold.bytesInMemory == message.count)
        let back = try readAll(hold, chunk: 256 << 10)
        #expect(back.bytes == message && back.largestChunk == 256 << 10)
        hold.discard()
        #expect(hold.spillDescriptor == nil && directory.entries.isEmpty && directory.openUnlinkedFiles == 0)
    }

    @Test("a spill file that cannot be created loses nothing: the bytes stay in memory and the failure is told")
    func cannotCreate() throws {
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 10, directory: "/nonexistent/hold-spill"))
        let message = sampleMessage(bytes: 500)
        #expect(hold.append(message[..<5]))
        #expect(!hold.append(message[5...]))
        #expect(try #require(hold.spillFailure).errno == ENOENT)
        #expect(try readAll(hold, chunk: 64).bytes == message)
    }

    @Test("a spill file that fails to be written loses nothing")
    func cannotWrite() throws {
        let readOnly = open("/dev/null", O_RDONLY)
        #expect(readOnly >= 0)
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 10), spillFile: SpillFile(descriptor: readOnly))
        let message = sampleMessage(bytes: 300)
        #expect(!hold.append(message[..<100]))
        #expect(!hold.append(message[100...]))
        #expect(hold.spillFailure != nil && hold.bytesInFile == 0)
        #expect(try readAll(hold, chunk: 77).bytes == message)
        hold.discard()
    }

    @Test("default limits: 128 KiB in memory, 64 MiB at most, spill files in $TMPDIR or /tmp")
    func defaults() {
        let limits = MessageHoldLimits()
        #expect(limits.memoryLimit == 128 << 10 && limits.maximum == 64 << 20)
        let tmpdir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        #expect(limits.directory == tmpdir)
        #expect(MessageHoldLimits(memoryLimit: -5, maximum: -1, directory: "/x") == MessageHoldLimits(memoryLimit: 0, maximum: 0, directory: "/x"))
    }
}
