internal import CHiredis

/// A command in RESP, formatted by hiredis.
enum RedisCommand {
    /// The bytes of the command `arguments` (each a bulk string, binary-safe).
    static func format(_ arguments: [String]) -> [UInt8] {
        let bytes = arguments.map { Array($0.utf8) }
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = bytes.map(\.count)
        // The arguments are copied for the call: hiredis copies them into the command.
        let copies = bytes.map { argument -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(argument.count, 1))
            argument.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: argument.count) }
            }
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        pointers = copies.map { UnsafePointer($0) }
        var target: UnsafeMutablePointer<CChar>?
        let length = pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeMutableBufferPointer { argvlen in
                redisFormatCommandArgv(&target, Int32(bytes.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
        guard length > 0, let target else { return [] }
        defer { redisFreeCommand(target) }
        return target.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { Array(UnsafeBufferPointer(start: $0, count: Int(length))) }
    }
}
