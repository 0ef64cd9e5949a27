/// The base64 of `bytes` in lines of `width` characters (the last one shorter), by an encoder
/// of the tests' own, so that a decoder under test is not checked against itself.
public func base64Lines(_ bytes: [UInt8], width: Int = 76) -> [String] {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0..<4 {
            out.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
        }
        index += 3
    }
    var lines: [String] = []
    var start = 0
    while start < out.count {
        lines.append(String(decoding: out[start..<min(start + width, out.count)], as: UTF8.self))
        start += width
    }
    return lines
}
