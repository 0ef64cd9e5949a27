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
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 1000, directory: directory.path), budget: HoldBudget())
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
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 64 << 10, directory: directory.path), budget: HoldBudget(), allowTmpfile: tmpfile)
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
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 10, directory: "/nonexistent/hold-spill"), budget: HoldBudget())
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
        let hold = HeldMessage(limits: MessageHoldLimits(memoryLimit: 10), budget: HoldBudget(), spillFile: SpillFile(descriptor: readOnly))
        let message = sampleMessage(bytes: 300)
        #expect(!hold.append(message[..<100]))
        #expect(!hold.append(message[100...]))
        #expect(hold.spillFailure != nil && hold.bytesInFile == 0)
        #expect(try readAll(hold, chunk: 77).bytes == message)
        hold.discard()
    }

    @Test("held messages share the total: the one that would go over it stops being held, whole; a released or freed hold gives its bytes back")
    func sharedTotal() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        // In memory up to 100 bytes, then spilled: the total counts both.
        let limits = MessageHoldLimits(memoryLimit: 100, maximum: 10_000, total: 1000, directory: directory.path)
        let budget = HoldBudget()
        let first = HeldMessage(limits: limits, budget: budget)
        let second = HeldMessage(limits: limits, budget: budget)
        let one = sampleMessage(bytes: 600), two = sampleMessage(bytes: 500)
        #expect(first.append(one[..<300]) && first.append(one[300...]))
        #expect(!first.exceedsTotal && budget.bytesHeld == 600 && first.bytesInFile > 0)
        #expect(second.append(two[..<400]))
        #expect(!second.exceedsTotal && budget.bytesHeld == 1000)
        // 100 more would make 1100: held all the same, but the hold is over the total.
        #expect(second.append(two[400...]))
        #expect(second.exceedsTotal && !second.exceedsMaximum && budget.bytesHeld == 1000)
        #expect(try readAll(second, chunk: 64).bytes == two)
        second.discard()
        #expect(budget.bytesHeld == 600)
        // The first, read back and released, gives its 600 back too.
        #expect(try readAll(first, chunk: 128).bytes == one)
        first.discard()
        #expect(budget.bytesHeld == 0)
        // Now a third hold has the whole total again.
        let third = HeldMessage(limits: limits, budget: budget)
        let three = sampleMessage(bytes: 1000)
        #expect(third.append(three) && !third.exceedsTotal && budget.bytesHeld == 1000)
        #expect(try readAll(third, chunk: 300).bytes == three)
        // A hold dropped without discard (its session vanished) gives its bytes back as well.
        do {
            let dropped = HeldMessage(limits: limits, budget: budget)
            #expect(dropped.append(one[..<1]) && dropped.exceedsTotal)
        }
        third.discard()
        do {
            let dropped = HeldMessage(limits: limits, budget: budget)
            #expect(dropped.append(three[..<700]) && !dropped.exceedsTotal && budget.bytesHeld == 700)
        }
        #expect(budget.bytesHeld == 0)
        #expect(directory.openUnlinkedFiles == 0)
    }

    @Test("a total of 0 holds no byte")
    func zeroTotal() throws {
        let budget = HoldBudget()
        let hold = HeldMessage(limits: MessageHoldLimits(total: 0), budget: budget)
        #expect(hold.append([UInt8(ascii: "x")]) && hold.exceedsTotal && budget.bytesHeld == 0)
        #expect(try readAll(hold, chunk: 8).bytes == [UInt8(ascii: "x")])
    }

    @Test("default limits: 128 KiB in memory, 64 MiB at most, 256 MiB for all, spill files in $TMPDIR or /tmp")
    func defaults() {
        let limits = MessageHoldLimits()
        #expect(limits.memoryLimit == 128 << 10 && limits.maximum == 64 << 20 && limits.total == 256 << 20)
        let tmpdir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        #expect(limits.directory == tmpdir)
        #expect(
            MessageHoldLimits(memoryLimit: -5, maximum: -1, total: -2, directory: "/x")
                == MessageHoldLimits(memoryLimit: 0, maximum: 0, total: 0, directory: "/x"))
    }
}
